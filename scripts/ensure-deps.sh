#!/usr/bin/env bash
# Installs the OS tools Waylay drives (iptables, nft, ip, conntrack, nsenter, setpriv, unshare, the CNI plugins in /usr/lib/cni, dnsmasq: dnsmasq-base,
# the binary alone, which starts no service on the machine; strace, which a capture test counts processes with; curl, which diagnostics reach a pod's admin API with; tcpdump, which `waylay tcpdump` runs in a pod; mmdebstrap, umoci and skopeo, which `waylay image build` makes the image with, and runc, which its test runs it with; docker-registry, distribution's registry, whose binary the image pull tests
# run on 127.0.0.1 — its system service is kept from starting and left disabled) when any is missing; more
# tool:package pairs as arguments (the NativeAOT sidecar's clang:clang ld.lld:lld).
# Sourced by ./waylay and ./test.sh; prints only when it has to install something (to stderr).
# A sourced library: no `set -e` here, it would carry into test.sh and end it at the first failing test project
# before the summary line.

waylay_ensure_deps() {
  local -a missing=()
  local tool pkg
  # tool:package pairs; the first tool of a package decides whether it is installed.
  for pair in iptables:iptables ip6tables:iptables iptables-legacy:iptables nft:nftables ip:iproute2 \
              conntrack:conntrack nsenter:util-linux setpriv:util-linux \
              unshare:util-linux /usr/lib/cni/bridge:containernetworking-plugins \
              dnsmasq:dnsmasq-base strace:strace curl:curl tcpdump:tcpdump \
              mmdebstrap:mmdebstrap umoci:umoci skopeo:skopeo runc:runc docker-registry:docker-registry "$@"; do
    tool=${pair%%:*}; pkg=${pair#*:}
    if ! command -v "$tool" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$tool" ] && [ ! -x "/sbin/$tool" ]; then
      [[ " ${missing[*]-} " == *" $pkg "* ]] || missing+=("$pkg")
    fi
  done
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
      echo "waylay: missing packages: ${missing[*]}; run as root or: sudo apt-get install -y ${missing[*]}" >&2
      return 1
    fi
    echo "waylay: installing ${missing[*]} (apt-get)…" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    local deny=""
    if [[ " ${missing[*]} " == *" docker-registry "* ]] && [ ! -e /usr/sbin/policy-rc.d ]; then
      # Debian's policy-rc.d protocol: exit 101 keeps the package's service from starting as it is installed.
      printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && deny=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
    if [ -n "$deny" ]; then rm -f /usr/sbin/policy-rc.d; fi
    if [[ " ${missing[*]} " == *" docker-registry "* ]] && command -v systemctl >/dev/null 2>&1; then
      systemctl disable docker-registry >/dev/null 2>&1 || true
    fi
  fi
  if ! command -v dotnet >/dev/null 2>&1; then
    echo "waylay: the .NET 10 SDK is needed to build (dotnet not on PATH)" >&2
    return 1
  fi
}

# zlib1g-dev has no command to look for: its header is the sign it is installed.
waylay_ensure_zlib_headers() {
  [ -f /usr/include/zlib.h ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "waylay: missing package: zlib1g-dev (NativeAOT links against it); run as root or: sudo apt-get install -y zlib1g-dev" >&2
    return 1
  fi
  echo "waylay: installing zlib1g-dev (apt-get)…" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends zlib1g-dev >&2
}
