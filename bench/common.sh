# Sourced by bench/proxy.sh and bench/http.sh: what both need installed, and removing exactly what a run made (its two
# namespaces, its processes by PID, its work directory), also when it fails. The caller sets C, S and work, and
# collects PIDs in PROXY_PIDS and SERVERS.

bench_install_tools() {
  local need=() tool
  for tool in haproxy:haproxy clang:clang ld.lld:lld ip:iproute2 iptables:iptables nft:nftables setpriv:util-linux curl:curl; do
    command -v "${tool%%:*}" >/dev/null || need+=("${tool#*:}")
  done
  [ -f /usr/include/zlib.h ] || need+=(zlib1g-dev)
  if [ ${#need[@]} -gt 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  fi
}

bench_cleanup() {
  [ -n "${PROXY_PIDS:-}" ] && kill $PROXY_PIDS 2>/dev/null || true
  [ -n "${SERVERS:-}" ] && kill $SERVERS 2>/dev/null || true
  ip netns del "$C" 2>/dev/null || true
  ip netns del "$S" 2>/dev/null || true
  rm -rf "$work"
}
