#!/usr/bin/env bash
# Proxy (HTTP) benchmark, Istio's layout: client → client sidecar → server sidecar → server, HTTP/1.1 keep-alive, a
# 100-byte body. One client and one server namespace joined by a veth pair, behind the real `waylay capture` rules
# (REDIRECT, uid 1337 exempt), proxies as uid 1337. Cases, in one session:
#   (a) direct: the client calls the server pod's address, no capture, no proxy;
#   (b) both sidecars: waylay proxy in each namespace; the client calls the service address (mesh.yaml: port 8080,
#       appProtocol http), the client sidecar picks the endpoint, the server sidecar hands it to 127.0.0.1:8080;
#   (c) HAProxy in HTTP mode (keep-alive, http-reuse always) in the same two places, the same service address.
# Per case: latency p50/p90/p99/p99.9 at a fixed rate (open loop, wrk2-style: latency from each request's due time, so
# no coordinated omission), then the closed-loop maximum rate; for the proxies CPU seconds per 1000 requests
# (utime+stime from /proc/PID/stat, both sidecars added) and RSS under the maximum load.
# Usage: sudo bench/http.sh [SECONDS per measurement, default 8]      (about 2 minutes on 2 cores)
#   RATE=1000 CONNS=16 (Istio's published set-up), MAX_CONNS=16, KINDS="aot jit" (waylay builds to run),
#   PROXY_ENV="NAME=value …" for the waylay proxies only, WAYLAY_CLI=path to a built `waylay` (default ./waylay).
# Prints a Markdown report on stdout (kept in bench/results/, with each waylay sidecar's /stats/prometheus after its
# run). Creates only wl-<id>-… namespaces and /tmp/wl-<id>-… files; removes them on exit.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
secs="${1:-8}"
rate_target="${RATE:-1000}"; conns="${CONNS:-16}"; max_conns="${MAX_CONNS:-16}"; kinds="${KINDS:-aot jit}"
id="h$(od -An -N2 -tx2 /dev/urandom | tr -d ' ')"
work="/tmp/wl-$id-bin"
C="wl-$id-c"; S="wl-$id-s"
CIP=10.244.1.2; SIP=10.244.1.3; VIP=10.96.0.10; PORT=8080
HOST="echo.default.svc.cluster.local:$PORT"

case "$secs" in ''|*[!0-9]*) echo "bench/http.sh: SECONDS must be a whole number of seconds, e.g. 8 (got '$secs')" >&2; exit 2;; esac
[ "$(id -u)" = 0 ] || { echo "bench/http.sh: needs root (namespaces, capture rules): run it with sudo" >&2; exit 2; }

need=()
for tool in haproxy:haproxy clang:clang ld.lld:lld ip:iproute2 iptables:iptables nft:nftables setpriv:util-linux curl:curl; do
  command -v "${tool%%:*}" >/dev/null || need+=("${tool#*:}")
done
[ -f /usr/include/zlib.h ] || need+=(zlib1g-dev)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

cleanup() {
  [ -n "${PROXY_PIDS:-}" ] && kill $PROXY_PIDS 2>/dev/null || true
  [ -n "${SERVERS:-}" ] && kill $SERVERS 2>/dev/null || true
  ip netns del "$C" 2>/dev/null || true
  ip netns del "$S" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# ---- build: the CLI (for capture), the proxy (JIT and/or NativeAOT, from bench/proxy-aot), the load generator ------
mkdir -p "$work"/{jit,aot,gen}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
cli="${WAYLAY_CLI:-$root/waylay}"
built=""
for kind in $kinds; do
  case $kind in
    jit) flags=(-p:PublishAot=false) ;;
    aot) flags=(-r linux-x64) ;;
    *) echo "bench/http.sh: KINDS may list aot and jit (got '$kind')" >&2; exit 2 ;;
  esac
  if dotnet publish "$root/bench/proxy-aot" -c Release "${flags[@]}" -o "$work/$kind" --nologo -v q >&2; then
    built="$built $kind"
  else
    echo "bench/http.sh: the $kind build of the proxy failed; measuring without it" >&2
  fi
done
[ -n "$built" ] || { echo "bench/http.sh: no proxy build succeeded" >&2; exit 1; }
dotnet publish "$root/bench/loadgen" -c Release -o "$work/gen" --nologo -v q >&2
chmod -R a+rX "$work"; chmod a+x "$work"
gen="$work/gen/loadgen"
commit="$(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD -- src bench 2>/dev/null || echo '+local changes')"

# ---- the two namespaces ----------------------------------------------------------------------------------------------
ip netns add "$C"; ip netns add "$S"
ip -n "$C" link set lo up; ip -n "$S" link set lo up
ip -n "$C" link add eth0 type veth peer name eth0 netns "$S"
ip -n "$C" addr add $CIP/24 dev eth0; ip -n "$S" addr add $SIP/24 dev eth0
ip -n "$C" link set eth0 up; ip -n "$S" link set eth0 up
# The service range is routed like a ClusterIP range on a node: the packet needs a route before nat OUTPUT redirects it.
ip -n "$C" route add 10.96.0.0/16 dev eth0
inC() { ip netns exec "$C" "$@"; }
# The server runs its socket continuations inline (no thread-pool hop): it is the same in every case, and cheaper.
ip netns exec "$S" env DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 "$gen" http-server $PORT 100 >/dev/null 2>&1 & SERVERS="$!"
for _ in $(seq 1 100); do inC curl -sf -o /dev/null "http://$SIP:$PORT/" && break; sleep 0.1; done

mesh="$work/mesh.yaml"
cat > "$mesh" <<YAML
version: "http-bench"
services:
- name: echo
  namespace: default
  addresses: [$VIP]
  ports:
  - name: http
    port: $PORT
    targetPort: $PORT
    protocol: TCP
    appProtocol: http
  endpoints:
  - address: $SIP
    labels: {app: echo, version: v1}
workloads:
- name: echo-v1
  namespace: default
  addresses: [$SIP]
  labels: {app: echo, version: v1}
- name: client
  namespace: default
  addresses: [$CIP]
  labels: {app: client}
YAML

haproxy_cfg="$work/haproxy.cfg"
cat > "$haproxy_cfg" <<CFG
global
  maxconn 6000
defaults
  mode http
  option http-keep-alive
  http-reuse always
  timeout connect 10s
  timeout client 1h
  timeout server 1h
  timeout http-keep-alive 1h
# The sidecar's outbound side knows the service's endpoint (as waylay learns it from mesh.yaml); the inbound side
# hands requests to the app on loopback. IPv4 listeners: see bench/proxy.sh.
frontend outbound
  bind 0.0.0.0:15001
  default_backend echo
backend echo
  server echo $SIP:$PORT
frontend inbound
  bind 0.0.0.0:15006
  default_backend app
backend app
  server app 127.0.0.1:$PORT
CFG
chmod a+r "$haproxy_cfg" "$mesh"

PROXY_PIDS=""
start() { # ns kind(jit|aot|haproxy)
  local ns=$1 kind=$2
  if [ "$kind" = haproxy ]; then
    ip netns exec "$ns" setpriv --reuid=1337 --regid=1337 --clear-groups -- haproxy -db -f "$haproxy_cfg" >/dev/null 2>&1 &
  else
    ip netns exec "$ns" setpriv --reuid=1337 --regid=1337 --clear-groups -- env ${PROXY_ENV:-} "$work/$kind/waylay" proxy --config "$mesh" --log-level warning >/dev/null 2>&1 &
  fi
  PROXY_PIDS="$PROXY_PIDS $!"
  for _ in $(seq 1 200); do
    # HAProxy has no readiness endpoint: wait for its listener.
    if [ "$kind" = haproxy ]; then [ -n "$(ip netns exec "$ns" ss -Hltn 'sport = :15006')" ] && return
    else ip netns exec "$ns" curl -sf -o /dev/null http://127.0.0.1:15000/ready && return; fi
    kill -0 $! 2>/dev/null || break
    sleep 0.05
  done
  echo "bench/http.sh: the $kind proxy in $ns did not become ready (haproxy: haproxy -c -f $haproxy_cfg; waylay: run it by hand with --log-level debug)" >&2
  exit 1
}
stop() { kill $PROXY_PIDS 2>/dev/null || true; wait $PROXY_PIDS 2>/dev/null || true; PROXY_PIDS=""; sleep 0.5; }

ticks=$(getconf CLK_TCK)
cpu() { # total utime+stime in seconds of the given pids (all threads)
  local t=0 pid
  for pid in "$@"; do t=$((t + $(sed 's/^.*) //' "/proc/$pid/stat" | awk '{print $12 + $13}'))); done
  awk -v t=$t -v h="$ticks" 'BEGIN { printf "%.3f", t / h }'
}
rss_mb() { awk '/VmRSS/ {printf "%.0f\n", $2 / 1024}' "/proc/$1/status"; }
field() { tr ' ' '\n' <<<"$2" | awk -F= -v k="$1" '$1 == k {print $2}'; }

declare -A fixed max cpu_fixed cpu_max rss_c rss_s
measure() { # name target-ip
  local name=$1 target=$2 pids c0 c1 c2 rss_file="$work/rss"
  pids=($PROXY_PIDS)
  # A short warm-up: connections open, JIT tiers settle, pools fill; not measured.
  inC "$gen" http "$target" $PORT "$rate_target" 2 "$conns" "$HOST" >/dev/null
  c0=$(cpu "${pids[@]}")
  fixed[$name]=$(inC "$gen" http "$target" $PORT "$rate_target" "$secs" "$conns" "$HOST")
  c1=$(cpu "${pids[@]}")
  : > "$rss_file"
  local sampler=""
  if [ ${#pids[@]} -gt 0 ]; then
    ( sleep $((secs / 2)); for p in "${pids[@]}"; do rss_mb "$p"; done > "$rss_file" ) & sampler=$!
  fi
  max[$name]=$(inC "$gen" http "$target" $PORT 0 "$secs" "$max_conns" "$HOST")
  [ -z "$sampler" ] || wait "$sampler"
  c2=$(cpu "${pids[@]}")
  cpu_fixed[$name]=$(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.3f", b - a }')
  cpu_max[$name]=$(awk -v a="$c1" -v b="$c2" 'BEGIN { printf "%.3f", b - a }')
  rss_c[$name]=$(sed -n 1p "$rss_file"); rss_s[$name]=$(sed -n 2p "$rss_file")
  echo "measured $name: ${fixed[$name]}" >&2
  echo "                 ${max[$name]}; proxy CPU ${cpu_fixed[$name]} s (fixed), ${cpu_max[$name]} s (max); RSS ${rss_c[$name]:-} ${rss_s[$name]:-} MB" >&2
}

results="$root/bench/results"; mkdir -p "$results"
stamp=$(date -u +%Y%m%dT%H%M)
declare -A http_seen
measure direct $SIP
"$cli" capture --netns "$C" -p 15001 -z 15006 -u 1337 -m REDIRECT -i '*' -b '*' >/dev/null
"$cli" capture --netns "$S" -p 15001 -z 15006 -u 1337 -m REDIRECT -i '*' -b '*' >/dev/null
for kind in $built haproxy; do
  start "$C" $kind; start "$S" $kind
  measure "$kind" $VIP
  if [ $kind != haproxy ]; then
    # What the sidecars saw: istio_requests_total exists only once the proxy handles HTTP (not an L4 relay).
    for side in C S; do
      ns=${!side}
      ip netns exec "$ns" curl -sf http://127.0.0.1:15000/stats/prometheus > "$work/stats-$kind-$side" || true
      cp "$work/stats-$kind-$side" "$results/http-$stamp-$kind-$([ $side = C ] && echo client || echo server)-stats.prom"
    done
    http_seen[$kind]=$(awk '/^istio_requests_total/ {n += $NF} END {printf "%.0f", n}' "$work/stats-$kind-C" "$work/stats-$kind-S")
  fi
  stop
done
# The direct case again, so drift over the session (other load on the machine) shows.
"$cli" capture --netns "$C" --cleanup >/dev/null
"$cli" capture --netns "$S" --cleanup >/dev/null
measure direct2 $SIP

# ---- report ----------------------------------------------------------------------------------------------------------
ms() { field "$1" "$2"; }
sub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%+.3f", a - b }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "–" }'; }
per1000() { awk -v c="$1" -v r="$2" 'BEGIN { if (r > 0) printf "%.3f", c / r * 1000; else printf "–" }'; }
percore() { awk -v c="$1" -v r="$2" 'BEGIN { if (c > 0) printf "%.0f", r / c; else printf "–" }'; }
label() { case $1 in direct) echo "(a) direct";; direct2) echo "(a) direct, again at the end";; haproxy) echo "(c) HAProxy, both sidecars";;
  *) echo "(b) waylay $1, both sidecars";; esac; }
{
  echo "Run $(date -u +%Y-%m-%dT%H:%MZ), commit $commit${PROXY_ENV:+, with $PROXY_ENV for the proxies}, on $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo), $(uname -r), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); ${secs} s per measurement."
  for kind in $built; do
    if [ "${http_seen[$kind]:-0}" -gt 0 ]; then
      echo "waylay $kind handled the traffic as HTTP: its sidecars counted ${http_seen[$kind]} requests in istio_requests_total."
    else
      echo "**waylay $kind relayed the traffic at L4** (no istio_requests_total in its sidecars' metrics): these are not HTTP-proxy figures."
    fi
  done
  echo
  echo "Latency at a fixed $rate_target requests/s over $conns keep-alive connections (open loop, ms from each request's due time):"
  echo
  echo "| case | p50 | p90 | p99 | p99.9 | max | added p50 | added p90 | added p99 | p99 vs HAProxy | errors |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  for n in direct $built haproxy direct2; do
    r=${fixed[$n]}
    if [ $n = direct ] || [ $n = direct2 ]; then added="| | |"; vs=""
    else added="| $(sub "$(ms p50 "$r")" "$(ms p50 "${fixed[direct]}")") | $(sub "$(ms p90 "$r")" "$(ms p90 "${fixed[direct]}")") | $(sub "$(ms p99 "$r")" "$(ms p99 "${fixed[direct]}")")"
      vs=$(ratio "$(ms p99 "$r")" "$(ms p99 "${fixed[haproxy]}")"); fi
    echo "| $(label $n) | $(ms p50 "$r") | $(ms p90 "$r") | $(ms p99 "$r") | $(ms p999 "$r") | $(ms max "$r") $added | $vs | $(( $(ms errors "$r") + $(ms unsent "$r") )) |"
  done
  echo
  echo "Maximum rate, closed loop over $max_conns connections, and the proxies' cost (both sidecars added):"
  echo
  echo "| case | requests/s | vs direct | vs HAProxy | p50 / p99 at max (ms) | proxy CPU s per 1000 req at $rate_target/s | at max | requests per proxy CPU-second at max | vs HAProxy | RSS at max, client / server sidecar (MB) |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  for n in direct $built haproxy direct2; do
    r=${max[$n]}; rps=$(printf "%.0f" "$(ms rate "$r")")
    if [ $n = direct ] || [ $n = direct2 ]; then
      echo "| $(label $n) | $rps | $(ratio "$rps" "$(ms rate "${max[direct]}")") | | $(ms p50 "$r") / $(ms p99 "$r") | | | | | |"
    else
      reqs=$(ms requests "$r"); hreqs=$(ms requests "${max[haproxy]}")
      echo "| $(label $n) | $rps | $(ratio "$rps" "$(ms rate "${max[direct]}")") | $(ratio "$rps" "$(ms rate "${max[haproxy]}")") | $(ms p50 "$r") / $(ms p99 "$r") | $(per1000 "${cpu_fixed[$n]}" "$(ms requests "${fixed[$n]}")") | $(per1000 "${cpu_max[$n]}" "$reqs") | $(percore "${cpu_max[$n]}" "$reqs") | $(ratio "$(percore "${cpu_max[$n]}" "$reqs")" "$(percore "${cpu_max[haproxy]}" "$hreqs")") | ${rss_c[$n]} / ${rss_s[$n]} |"
    fi
  done
} | tee "$results/http-$stamp.md"
