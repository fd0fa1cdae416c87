#!/usr/bin/env bash
# Proxy (L4) benchmark: one client and one server namespace joined by a veth pair, and between them
#   (a) nothing (direct), (b) the client's sidecar, (c) both sidecars, (d) HAProxy (TCP mode, splice-auto) in each
#   sidecar's place, all behind the real `waylay capture` rules (REDIRECT, uid 1337 exempt).
# Measures bulk throughput and connections/s per scenario, and for the JIT and NativeAOT builds of the proxy: idle RSS,
# RSS with 1000 open connections, and time from exec to the first 200 on /ready.
# Usage: sudo bench/proxy.sh [SECONDS per measurement, default 8]    (about 4-5 minutes on 2 cores)
#        PROXY_ENV="NAME=value …" sets environment variables for the waylay proxies only (experiments).
#        RATE_ONLY=N [KINDS="aot jit aot@NAME=VALUE"]: only connections/s through both sidecars, each kind and HAProxy
#        in turn, N rounds; prints per kind the median and the median per-round ratio to HAProxy (stdout).
# Prints a Markdown report on stdout (and keeps it in bench/results/). Creates only wl-<id>-… namespaces; removes them.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
secs="${1:-8}"
id="b$(od -An -N2 -tx2 /dev/urandom | tr -d ' ')"
work="/tmp/wl-$id-bin"
C="wl-$id-c"; S="wl-$id-s"
CIP=10.244.1.2; SIP=10.244.1.3

. "$root/bench/common.sh"
bench_install_tools
trap bench_cleanup EXIT

# ---- build: the CLI (for capture), the proxy JIT and NativeAOT, the load generator ----------------------------------
mkdir -p "$work"/{jit,aot,gen}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
cli="${WAYLAY_CLI:-$root/waylay}"
dotnet publish "$root/src/Waylay.Sidecar" -c Release -p:PublishAot=false -o "$work/jit" --nologo -v q >&2
dotnet publish "$root/src/Waylay.Sidecar" -c Release -o "$work/aot" --nologo -v q >&2
dotnet publish "$root/bench/loadgen" -c Release -o "$work/gen" --nologo -v q >&2
# BASE_BIN=/path/to/waylay-proxy: an older build as the kind "base", to compare changes in one session.
if [ -n "${BASE_BIN:-}" ]; then mkdir -p "$work/base"; cp "$BASE_BIN" "$work/base/waylay-proxy"; fi
chmod -R a+rX "$work"; chmod a+x "$work"
gen="$work/gen/loadgen"

# ---- the two namespaces ----------------------------------------------------------------------------------------------
ip netns add "$C"; ip netns add "$S"
ip -n "$C" link set lo up; ip -n "$S" link set lo up
ip -n "$C" link add eth0 type veth peer name eth0 netns "$S"
ip -n "$C" addr add $CIP/24 dev eth0; ip -n "$S" addr add $SIP/24 dev eth0
ip -n "$C" link set eth0 up; ip -n "$S" link set eth0 up
for ns in "$C" "$S"; do
  # Namespaced sysctl: the connection-rate runs open ~10^5 connections; let TIME_WAIT ports be reused. (Widening
  # ip_local_port_range would hand out 15000-15021 as ephemeral ports and collide with the proxy's listeners.)
  ip netns exec "$ns" sysctl -qw net.ipv4.tcp_tw_reuse=1
done
inC() { ip netns exec "$C" "$@"; }
ip netns exec "$S" "$gen" sink 5201 & SERVERS="$!"
ip netns exec "$S" "$gen" echo 5202 & SERVERS="$SERVERS $!"
sleep 1

haproxy_cfg="$work/haproxy.cfg"
cat > "$haproxy_cfg" <<CFG
global
  maxconn 6000   # its own fd budget (2 per connection + pipes) must fit the 20,000 hard limit
defaults
  mode tcp
  option splice-auto
  timeout connect 10s
  timeout client 1h
  timeout server 1h
# IPv4 listeners: HAProxy asks SO_ORIGINAL_DST at the socket's own family, so a v4 connection on a dual-stack [::]
# socket falls back to getsockname (the redirect port itself) and HAProxy then connects to itself in a loop.
frontend outbound
  bind 0.0.0.0:15001
  default_backend original
backend original
  server original 0.0.0.0:0
frontend inbound
  bind 0.0.0.0:15006
  default_backend app
backend app
  server app 127.0.0.1
CFG
chmod a+r "$haproxy_cfg"

PROXY_PIDS=""
start() { # ns kind(jit|aot|haproxy, or jit@NAME=VALUE / aot@NAME=VALUE: that build with one more variable)
  local ns=$1 kind=${2%%@*} extra=""
  [ "$2" = "${2#*@}" ] || extra=${2#*@}
  if [ "$kind" = haproxy ]; then
    ip netns exec "$ns" setpriv --reuid=1337 --regid=1337 --clear-groups -- haproxy -db -f "$haproxy_cfg" >/dev/null 2>&1 &
  else
    ip netns exec "$ns" setpriv --reuid=1337 --regid=1337 --clear-groups -- env ${PROXY_ENV:-} $extra "$work/$kind/waylay-proxy" proxy --log-level warning >/dev/null 2>&1 &
  fi
  PROXY_PIDS="$PROXY_PIDS $!"
  for _ in $(seq 1 200); do
    # HAProxy has no readiness endpoint: wait for its listener (a probe connection would loop through itself).
    if [ "$kind" = haproxy ]; then [ -n "$(ip netns exec "$ns" ss -Hltn 'sport = :15006')" ] && break
      kill -0 $! 2>/dev/null || { echo "haproxy exited: see haproxy -f $haproxy_cfg -c" >&2; exit 1; }
    else ip netns exec "$ns" curl -sf -o /dev/null http://127.0.0.1:15000/ready && break; fi
    sleep 0.05
  done
}
stop() { kill $PROXY_PIDS 2>/dev/null || true; wait $PROXY_PIDS 2>/dev/null || true; PROXY_PIDS=""; sleep 0.5; }

declare -A tput rate
measure() { # name
  tput[$1]=$(inC "$gen" throughput $SIP 5201 "$secs" 4)
  rate[$1]=$(inC "$gen" connrate $SIP 5202 "$secs" 32)
  echo "measured $1: ${tput[$1]} B/s, ${rate[$1]} conn/s" >&2
}

if [ -n "${RATE_ONLY:-}" ]; then
  # The quick loop for work on the per-connection cost: connections/s only, direct and through both sidecars (waylay
  # builds in KINDS, default "aot", and HAProxy), RATE_ONLY rounds in turn so drift shows; no report file.
  "$cli" capture --netns "$C" -p 15001 -z 15006 -u 1337 -m REDIRECT -i '*' -b '*' >/dev/null
  "$cli" capture --netns "$S" -p 15001 -z 15006 -u 1337 -m REDIRECT -i '*' -b '*' >/dev/null
  declare -A samples
  for round in $(seq 1 "$RATE_ONLY"); do
    line="round $round:"
    for kind in ${KINDS:-aot} haproxy; do
      start "$C" "$kind"; start "$S" "$kind"
      r=$(inC "$gen" connrate $SIP 5202 "$secs" 32)
      samples[$kind]="${samples[$kind]:-} $r"
      line="$line $kind $r"
      stop
    done
    echo "$line conn/s" >&2
  done
  # Per kind: the median over the rounds, and the median of its per-round ratio to HAProxy (the same round's).
  median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
  for kind in ${KINDS:-aot} haproxy; do
    read -ra mine <<< "${samples[$kind]}"; read -ra base <<< "${samples[haproxy]}"
    ratios=""; for i in "${!mine[@]}"; do ratios="$ratios $(awk -v a="${mine[$i]}" -v b="${base[$i]}" 'BEGIN { printf "%.2f", a / b }')"; done
    echo "$kind: median $(echo "${samples[$kind]}" | median) conn/s, median ratio to HAProxy $(echo "$ratios" | median) (rounds:$ratios)"
  done
  exit 0
fi

measure direct
"$cli" capture --netns "$C" -p 15001 -z 15006 -u 1337 -m REDIRECT -i '*' -b '*' >/dev/null
for kind in aot jit haproxy; do start "$C" $kind; measure "one-$kind"; stop; done
"$cli" capture --netns "$S" -p 15001 -z 15006 -u 1337 -m REDIRECT -i '*' -b '*' >/dev/null
for kind in aot jit haproxy; do start "$C" $kind; start "$S" $kind; measure "two-$kind"; stop; done

# ---- footprint and start-up, per build -------------------------------------------------------------------------------
declare -A idle held ready size
rss() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
for kind in aot jit; do
  best=""
  for _ in 1 2 3 4 5; do
    t0=$(date +%s%N)
    ip netns exec "$C" setpriv --reuid=1337 --regid=1337 --clear-groups -- env ${PROXY_ENV:-} "$work/$kind/waylay-proxy" proxy --log-level warning >/dev/null 2>&1 &
    pid=$!
    until ip netns exec "$C" curl -sf -o /dev/null http://127.0.0.1:15000/ready; do sleep 0.002; done
    t=$(( ($(date +%s%N) - t0) / 1000000 ))
    [ -z "$best" ] || [ "$t" -lt "$best" ] && best=$t
    samples+=("$t")
    kill $pid; wait $pid 2>/dev/null || true; sleep 0.3
  done
  ready[$kind]="${samples[*]}"; samples=()
  start "$C" $kind
  pid=${PROXY_PIDS##* }
  start "$S" $kind   # the server namespace is captured by now: its inbound needs a sidecar too
  sleep 2; idle[$kind]=$(rss "$pid")
  ip netns exec "$C" "$gen" hold $SIP 5202 1000 4 >/dev/null & holder=$!
  sleep 3; held[$kind]=$(rss "$pid")
  wait $holder; stop
  # AOT: the one self-contained file (symbols are split off into waylay-proxy.dbg); JIT: the app's files, which also need
  # the shared .NET runtime (~70 MB) on the machine.
  if [ $kind = aot ]; then size[$kind]=$(du -k "$work/aot/waylay-proxy" | cut -f1); else size[$kind]=$(du -sk --exclude='*.pdb' "$work/jit" | cut -f1); fi
done

mkdir -p "$root/bench/results"

# ---- report ----------------------------------------------------------------------------------------------------------
gbps() { awk -v b="$1" 'BEGIN { printf "%.2f", b * 8 / 1e9 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
{
  echo "Run $(date -u +%Y-%m-%dT%H:%MZ)${PROXY_ENV:+ with $PROXY_ENV for the proxies} on $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo), $(uname -r), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); ${secs}s per measurement."
  echo
  echo "| scenario | throughput (Gbit/s) | vs direct | vs HAProxy | connections/s | vs direct | vs HAProxy |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
  echo "| (a) direct | $(gbps ${tput[direct]}) | 1.00 | | ${rate[direct]} | 1.00 | |"
  for n in one two; do
    label=$([ $n = one ] && echo "(b) client sidecar" || echo "(c) both sidecars")
    for kind in aot jit; do
      echo "| $label, waylay $kind | $(gbps ${tput[$n-$kind]}) | $(ratio ${tput[$n-$kind]} ${tput[direct]}) | $(ratio ${tput[$n-$kind]} ${tput[$n-haproxy]}) | ${rate[$n-$kind]} | $(ratio ${rate[$n-$kind]} ${rate[direct]}) | $(ratio ${rate[$n-$kind]} ${rate[$n-haproxy]}) |"
    done
    echo "| (d) $label → HAProxy | $(gbps ${tput[$n-haproxy]}) | $(ratio ${tput[$n-haproxy]} ${tput[direct]}) | 1.00 | ${rate[$n-haproxy]} | $(ratio ${rate[$n-haproxy]} ${rate[direct]}) | 1.00 |"
  done
  echo
  echo "| build | size on disk | idle RSS | RSS, 1000 connections | exec → /ready 200 (5 runs, ms) |"
  echo "| --- | ---: | ---: | ---: | --- |"
  for kind in aot jit; do
    echo "| $kind | $(awk -v k="${size[$kind]}" 'BEGIN { printf "%.1f", k / 1024 }') MB$([ $kind = jit ] && echo ' + .NET runtime') | $((idle[$kind] / 1024)) MB | $((held[$kind] / 1024)) MB | ${ready[$kind]} |"
  done
} | tee "$root/bench/results/proxy-$(date -u +%Y%m%dT%H%M).md"
