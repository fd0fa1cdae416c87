#!/usr/bin/env bash
# Proxy (HTTP) benchmark, Istio's layout: client → client sidecar → server sidecar → server, HTTP/1.1 keep-alive, a
# 100-byte body (BODY). One client and one server namespace joined by a veth pair, behind the real `waylay capture` rules
# (REDIRECT, uid 1337 exempt), proxies as uid 1337. Cases, in one session:
#   (a) direct: the client calls the server pod's address, no capture, no proxy;
#   (b) both sidecars: waylay proxy in each namespace; the client calls the service address (mesh.yaml: port 8080,
#       appProtocol http), the client sidecar picks the endpoint, the server sidecar hands it to 127.0.0.1:8080;
#   (c) HAProxy in HTTP mode (keep-alive, http-reuse always) in the same two places, the same service address;
#   (d) with KINDS=…yarp: YARP's forwarder, tuned (bench/yarp-http1, NativeAOT), where HAProxy listens in (c).
# Per case: latency p50/p90/p99/p99.9 at a fixed rate (open loop, wrk2-style: latency from each request's due time, so
# no coordinated omission), then the closed-loop maximum rate; for the proxies CPU seconds per 1000 requests
# (utime+stime from /proc/PID/stat, both sidecars added) and RSS under the maximum load. The cases are interleaved
# over ROUNDS rounds and the median round reported (and for p99 also the best round), so a burst of other work on a
# shared machine hits every case alike, and the best round shows what the proxies add when nothing else interferes.
# Usage: sudo bench/http.sh [SECONDS per measurement, default 2]      (about 2 minutes on 2 cores, plus builds)
#   ROUNDS=5, MAX_SECONDS=SECONDS (the closed-loop run), RATE=1000 CONNS=16 (Istio's published set-up), MAX_CONNS=16,
#   KINDS="aot jit" (waylay builds to run; aot-sgc is the AOT sidecar built with server GC, aot-cN the AOT sidecar with
#   --concurrency N; add yarp for case (d)), NICE=-5 (the niceness of client, server and
#   proxies alike: on a machine shared with builds it keeps their bursts from landing in one case's tail more than
#   another's; 0 to switch off), YARP_ENV="NAME=value …" for the YARP proxies of case (d) only,
#   PERF=1: profile both sidecars with perf(1) during the first round's maximum-rate run (bench/results/…-perf.txt;
#   PERF=keep also keeps perf's data there, for perf report/annotate),
#   STAT=1: count the sidecars' system calls (by kind) and context switches per request in that run (a table at the end),
#   PROXY_ENV="NAME=value …" for the waylay proxies only, WAYLAY_CLI=path to a built `waylay` (default ./waylay),
#   BODY=100 (the server's response body in bytes), AOT_BINARY=path: a sidecar already built (e.g. .build/sidecar/
#   waylay-proxy) for the aot case instead of publishing one; KINDS=…base with BASE_BINARY=path: another built sidecar
#   (e.g. the one before a change) as a case of its own, interleaved with the others,
#   HOLD="1000 9000": after the rounds, for each proxy case and count, COUNT connections opened through both sidecars,
#   one GET on each at once (so the client sidecar's pool opens as many upstream connections), then held idle for
#   HOLD_SECONDS (4); each sidecar's RSS while they are held (and of it its private pages, smaps_rollup) and its
#   peak (VmHWM) over the whole start-to-end;
#   HOLD_ONLY=1 measures only that (no rounds),
#   HOLD_TRACE=1: the client waylay sidecar's RSS (anonymous and file pages apart) and GC figures (/stats/prometheus)
#   every 100 ms through each hold (bench/results/…-holdN.trace), to see what its peak is made of (HOLD_TRACE=server:
#   the server sidecar's),
#   KEEP_SMAPS=dir: each sidecar's /proc/PID/smaps copied there where its RSS is read (halfway through each maximum-
#   rate run and each hold), to see which mappings the memory is in. Each round's line on stderr also gives each
#   sidecar's minor page faults since its start;
#   LOADGEN_RESPONSE_DELAY_MS=N: the app holds every answer N ms, so that a hold's requests stay in flight through
#   both sidecars (to take a heap dump of what a request in flight holds; not for the report's figures).
# Prints a Markdown report on stdout (kept in bench/results/, with each waylay sidecar's /stats/prometheus after its
# run). Creates only wl-<id>-… namespaces and /tmp/wl-<id>-… files; removes them on exit.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
secs="${1:-2}"; max_secs="${MAX_SECONDS:-$secs}"; rounds="${ROUNDS:-5}"
niceness="${NICE:--5}"; rate_target="${RATE:-1000}"; conns="${CONNS:-16}"; max_conns="${MAX_CONNS:-16}"; kinds="${KINDS:-aot jit}"
body="${BODY:-100}"; holds="${HOLD:-}"; hold_secs="${HOLD_SECONDS:-4}"
id="h$(od -An -N2 -tx2 /dev/urandom | tr -d ' ')"
work="/tmp/wl-$id-bin"
C="wl-$id-c"; S="wl-$id-s"
CIP=10.244.1.2; SIP=10.244.1.3; VIP=10.96.0.10; PORT=8080
HOST="echo.default.svc.cluster.local:$PORT"

for v in "SECONDS:$secs" "MAX_SECONDS:$max_secs" "ROUNDS:$rounds" "RATE:$rate_target" "CONNS:$conns" "MAX_CONNS:$max_conns" "BODY:$body" "HOLD_SECONDS:$hold_secs" $(for h in $holds; do echo "HOLD:$h"; done); do
  case "${v#*:}" in ''|*[!0-9]*|0) echo "bench/http.sh: ${v%%:*} must be a positive whole number, e.g. 3 (got '${v#*:}')" >&2; exit 2;; esac
done
case "$niceness" in -[0-9]|-1[0-9]|-20|[0-9]|1[0-9]) ;; *) echo "bench/http.sh: NICE must be a niceness from -20 to 19 (got '$niceness')" >&2; exit 2;; esac
[ "$(id -u)" = 0 ] || { echo "bench/http.sh: needs root (namespaces, capture rules): run it with sudo" >&2; exit 2; }

. "$root/bench/common.sh"
bench_install_tools
trap bench_cleanup EXIT

# ---- build: the CLI (for capture), the sidecar (src/Waylay.Sidecar, NativeAOT and/or JIT), the load generator ------
mkdir -p "$work"/{jit,aot,gen}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
cli="${WAYLAY_CLI:-$root/waylay}"
built=""
for kind in $kinds; do
  case $kind in
    jit) flags=(-p:PublishAot=false) ;;
    aot) flags=(); [ -z "${PERF:-}" ] || flags=(-p:StripSymbols=false) ;;
    aot-sgc) flags=(-p:ServerGarbageCollection=true) ;; # the same sidecar built with server GC (a build property under NativeAOT)
    yarp) # case (d), not a waylay build: published on its own, measured where HAProxy is
      if dotnet publish "$root/bench/yarp-http1" -c Release $([ -z "${PERF:-}" ] || echo -p:StripSymbols=false) -o "$work/yarp" --nologo -v q >&2; then
        yarp=1
      else
        echo "bench/http.sh: the YARP build (bench/yarp-http1) failed; measuring without it" >&2
      fi
      continue ;;
    aot-c[0-9]*) # the AOT sidecar run with --concurrency N (event-loop threads), compared in the same session
      case "${kind#aot-c}" in ''|*[!0-9]*) echo "bench/http.sh: aot-cN takes a thread count, e.g. aot-c1 (got '$kind')" >&2; exit 2;; esac
      flags=(); [ -z "${PERF:-}" ] || flags=(-p:StripSymbols=false) ;;
    base) [ -f "${BASE_BINARY:-}" ] || { echo "bench/http.sh: KINDS=base needs BASE_BINARY=path to a built sidecar (e.g. one published from an earlier commit)" >&2; exit 2; } ;;
    *) echo "bench/http.sh: KINDS may list aot, aot-cN, aot-sgc, base, jit and yarp (got '$kind')" >&2; exit 2 ;;
  esac
  if { [ $kind = aot ] && [ -n "${AOT_BINARY:-}" ]; } || [ $kind = base ]; then
    # With its symbols (waylay-proxy.dbg, which the binary's debuglink names) where there are some, so PERF=1 names functions.
    given="$([ $kind = base ] && echo "$BASE_BINARY" || echo "$AOT_BINARY")"
    mkdir -p "$work/$kind"; cp "$given" "$work/$kind/waylay-proxy"; [ -f "$given.dbg" ] && cp "$given.dbg" "$work/$kind/waylay-proxy.dbg"
    built="$built $kind"; continue
  fi
  if dotnet publish "$root/src/Waylay.Sidecar" -c Release ${flags[@]+"${flags[@]}"} -o "$work/$kind" --nologo -v q >&2; then
    built="$built $kind"
  else
    echo "bench/http.sh: the $kind build of the proxy failed; measuring without it" >&2
  fi
done
[ -n "$built${yarp:-}" ] || { echo "bench/http.sh: no proxy build succeeded" >&2; exit 1; }
dotnet publish "$root/bench/loadgen" -c Release -o "$work/gen" --nologo -v q >&2
chmod -R a+rX "$work"; chmod a+x "$work"
gen="$work/gen/loadgen"
commit="$(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD -- src bench 2>/dev/null || echo '+local changes')"

# Another benchmark (bench/proxy.sh or this one: namespaces wl-b…/wl-h…) running at the same time would spoil both
# runs' figures: wait for it to end (up to 10 minutes), then go on anyway, saying so.
others() { ip netns list 2>/dev/null | awk '{print $1}' | grep -E '^wl-[bh][0-9a-f]{4}-c$' | grep -vx "$C" || true; }
for _ in $(seq 1 120); do
  [ -z "$(others)" ] && break
  [ -n "${announced:-}" ] || { echo "bench/http.sh: waiting for another benchmark to finish ($(others | tr '\n' ' '))…" >&2; announced=1; }
  sleep 5
done
[ -z "$(others)" ] || echo "bench/http.sh: another benchmark is still running ($(others | tr '\n' ' ')); measuring anyway" >&2

# ---- the two namespaces ----------------------------------------------------------------------------------------------
ip netns add "$C"; ip netns add "$S"
ip -n "$C" link set lo up; ip -n "$S" link set lo up
ip -n "$C" link add eth0 type veth peer name eth0 netns "$S"
ip -n "$C" addr add $CIP/24 dev eth0; ip -n "$S" addr add $SIP/24 dev eth0
ip -n "$C" link set eth0 up; ip -n "$S" link set eth0 up
# The service range is routed like a ClusterIP range on a node: the packet needs a route before nat OUTPUT redirects it.
ip -n "$C" route add 10.96.0.0/16 dev eth0
# HOLD opens thousands of connections per case from the client namespace (and the client sidecar as many upstream);
# the last case of a 9000 run found the default 28k ephemeral ports taken by the earlier cases' TIME_WAIT.
for ns in "$C" "$S"; do ip netns exec "$ns" sysctl -qw net.ipv4.ip_local_port_range="1024 65000" net.ipv4.ip_local_reserved_ports="8080,15000-15100" net.ipv4.tcp_tw_reuse=1; done
inC() { nice -n "$niceness" ip netns exec "$C" "$@"; }
# The server runs its socket continuations inline (no thread-pool hop): it is the same in every case, and cheaper.
nice -n "$niceness" ip netns exec "$S" env DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 "$gen" http-server $PORT "$body" >/dev/null 2>&1 & SERVERS="$!"
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
  maxconn $(( $(printf '%s\n' 6000 $holds | sort -n | tail -1) + 500 ))
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
start() { # ns kind(jit|aot|haproxy|yarp)
  local ns=$1 kind=$2
  if [ "$kind" = yarp ]; then
    # HAProxy's two frontends and their fixed backends; inline socket completions as the waylay sidecar sets them.
    nice -n "$niceness" ip netns exec "$ns" setpriv --reuid=1337 --regid=1337 --clear-groups -- env DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 ${YARP_ENV:-} \
      "$work/yarp/yarp-http1" 15001=$SIP:$PORT 15006=127.0.0.1:$PORT >/dev/null 2>&1 &
  elif [ "$kind" = haproxy ]; then
    nice -n "$niceness" ip netns exec "$ns" setpriv --reuid=1337 --regid=1337 --clear-groups -- haproxy -db -f "$haproxy_cfg" >/dev/null 2>&1 &
  else
    local threads=(); case $kind in aot-c*) threads=(--concurrency "${kind#aot-c}") ;; esac
    nice -n "$niceness" ip netns exec "$ns" setpriv --reuid=1337 --regid=1337 --clear-groups -- env ${PROXY_ENV:-} "$work/$kind/waylay-proxy" proxy --config "$mesh" --log-level warning ${threads[@]+"${threads[@]}"} >/dev/null 2>&1 &
  fi
  PROXY_PIDS="$PROXY_PIDS $!"
  for _ in $(seq 1 200); do
    # HAProxy has no readiness endpoint: wait for its listener.
    if [ "$kind" = haproxy ] || [ "$kind" = yarp ]; then [ -n "$(ip netns exec "$ns" ss -Hltn 'sport = :15006')" ] && return
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

# Per case and round: fixed-rate latency, then the maximum rate; the proxies' CPU across each, RSS halfway through
# the maximum. Results per round are kept as loadgen's key=value lines; CPU and request counts add up over rounds.
declare -A fixed max cpu_fixed cpu_max req_fixed req_max rss_c rss_s http_seen stat_requests
stat_calls="recvfrom sendto recvmsg sendmsg read write readv writev epoll_wait epoll_pwait epoll_ctl futex sched_yield ioctl"
stat_events="raw_syscalls:sys_enter,context-switches,$(for c in $stat_calls; do printf 'syscalls:sys_enter_%s,' "$c"; done | sed 's/,$//')"
measure() { # name round target-ip
  local name=$1 r=$2 target=$3 pids c0 c1 c2 rss_file="$work/rss" sampler=""
  pids=($PROXY_PIDS)
  # A short warm-up: connections open, JIT tiers settle, pools fill; not measured.
  inC "$gen" http "$target" $PORT "$rate_target" 0.5 "$conns" "$HOST" >/dev/null
  c0=$(cpu "${pids[@]}")
  fixed[$name,$r]=$(inC "$gen" http "$target" $PORT "$rate_target" "$secs" "$conns" "$HOST")
  c1=$(cpu "${pids[@]}")
  : > "$rss_file"
  if [ ${#pids[@]} -gt 0 ]; then
    ( sleep $((max_secs / 2)).5; for p in "${pids[@]}"; do rss_mb "$p"; done > "$rss_file"
      [ -z "${KEEP_SMAPS:-}" ] || for p in "${pids[@]}"; do cp "/proc/$p/smaps" "$KEEP_SMAPS/$name-max$r-$p.smaps"; done ) & sampler=$!
  fi
  local profiler=""
  if [ -n "${PERF:-}" ] && [ "$r" = 1 ] && [ ${#pids[@]} -gt 0 ]; then
    # Where the proxies' CPU goes at the maximum rate: both sidecars, call graphs, the first round only.
    perf record -q -F 1999 -g -o "$work/perf-$name.data" -p "$(IFS=,; echo "${pids[*]}")" -- sleep "$max_secs" >/dev/null 2>&1 & profiler=$!
  fi
  local counter=""
  if [ -n "${STAT:-}" ] && [ "$r" = 1 ] && [ ${#pids[@]} -gt 0 ]; then
    # What the kernel is asked per request: system calls by kind and context switches, both sidecars (perf's
    # tracepoint counters, cheap enough not to change the run; CPU cycle counters are not available on every VM).
    perf stat -x, -e "$stat_events" -p "$(IFS=,; echo "${pids[*]}")" -o "$work/stat-$name.csv" -- sleep "$max_secs" >/dev/null 2>&1 & counter=$!
  fi
  max[$name,$r]=$(inC "$gen" http "$target" $PORT 0 "$max_secs" "$max_conns" "$HOST")
  [ -z "$sampler" ] || wait "$sampler"
  if [ -n "$counter" ]; then
    wait "$counter" || true
    stat_requests[$name]=$(field requests "${max[$name,$r]}")
  fi
  if [ -n "$profiler" ]; then
    wait "$profiler" || true
    { perf report -q -i "$work/perf-$name.data" --stdio --no-children --sort comm,dso -g none
      echo
      perf report -q -i "$work/perf-$name.data" --stdio --no-children --sort dso,symbol --percent-limit 0.5 -g none
      echo; echo "# the proxy's own code (percent of all samples)"
      perf report -q -i "$work/perf-$name.data" --stdio --no-children --sort symbol --percent-limit 0.15 -g none \
        --dsos "$(case $name in haproxy) echo haproxy;; yarp) echo yarp-http1;; *) echo waylay-proxy;; esac)"
      echo; echo "# inclusive: the proxy's functions with what they call (≥ 1 % of all samples)"
      perf report -q -i "$work/perf-$name.data" --stdio --children --sort symbol --percent-limit 1 -g none \
        --dsos "$(case $name in haproxy) echo haproxy;; yarp) echo yarp-http1;; *) echo waylay-proxy;; esac)" | head -120
      echo; echo "# who calls the proxy's hottest symbols (≥ 0.4 % of all samples)"
      perf report -q -i "$work/perf-$name.data" --stdio --no-children --sort symbol --percent-limit 0.4 -G \
        --dsos "$(case $name in haproxy) echo haproxy;; yarp) echo yarp-http1;; *) echo waylay-proxy;; esac)" | head -400
    } 2>/dev/null | sed 's/[[:space:]-]*$//' > "$results/http-$stamp-$name-perf.txt" || true
    [ "${PERF:-}" != keep ] || cp "$work/perf-$name.data" "$results/http-$stamp-$name-perf.data"
  fi
  c2=$(cpu "${pids[@]}")
  cpu_fixed[$name]=$(awk -v s="${cpu_fixed[$name]:-0}" -v a="$c0" -v b="$c1" 'BEGIN { printf "%.3f", s + b - a }')
  cpu_max[$name]=$(awk -v s="${cpu_max[$name]:-0}" -v a="$c1" -v b="$c2" 'BEGIN { printf "%.3f", s + b - a }')
  req_fixed[$name]=$(( ${req_fixed[$name]:-0} + $(field requests "${fixed[$name,$r]}") ))
  req_max[$name]=$(( ${req_max[$name]:-0} + $(field requests "${max[$name,$r]}") ))
  # The largest of the rounds.
  local a b; a=$(sed -n 1p "$rss_file"); b=$(sed -n 2p "$rss_file")
  [ -z "$a" ] || [ "$a" -lt "${rss_c[$name]:-0}" ] || rss_c[$name]=$a
  [ -z "$b" ] || [ "$b" -lt "${rss_s[$name]:-0}" ] || rss_s[$name]=$b
  [ -z "$(others)" ] || overlap=1
  echo "round $r $name: ${fixed[$name,$r]}" >&2
  # Minor page faults since each sidecar started (/proc/PID/stat field 10): pages mapped in, the binary's among them.
  local faults; faults=$(for p in "${pids[@]}"; do awk '{print $10}' "/proc/$p/stat" 2>/dev/null; done | paste -sd/ -)
  echo "round $r $name: ${max[$name,$r]}; proxy CPU $c0 → $c1 → $c2 s; RSS ${a:-–} / ${b:-–} MB; minor faults since start ${faults:-–}" >&2
}

captured=0
capture() { # on|off
  if [ "$1" = on ] && [ $captured = 0 ]; then
    "$cli" capture --netns "$C" -p 15001 -z 15006 -u 1337 -m REDIRECT -i '*' -b '*' >/dev/null 2>&1
    "$cli" capture --netns "$S" -p 15001 -z 15006 -u 1337 -m REDIRECT -i '*' -b '*' >/dev/null 2>&1
    captured=1
  elif [ "$1" = off ] && [ $captured = 1 ]; then
    "$cli" capture --netns "$C" --cleanup >/dev/null 2>&1
    "$cli" capture --netns "$S" --cleanup >/dev/null 2>&1
    captured=0
  fi
}

results="$root/bench/results"; mkdir -p "$results"
stamp=$(date -u +%Y%m%dT%H%M)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
"$cli" capture --help >/dev/null   # builds the CLI now, not inside the first measurement
cases=(direct $built haproxy ${yarp:+yarp})
for r in $([ -n "${HOLD_ONLY:-}" ] || seq 1 "$rounds"); do
  # Each round starts one case later, so no case always runs first or last.
  for i in $(seq 0 $((${#cases[@]} - 1))); do
    name=${cases[$(( (i + r - 1) % ${#cases[@]} ))]}
    if [ $name = direct ]; then capture off; measure direct "$r" $SIP; continue; fi
    capture on
    start "$C" $name; start "$S" $name
    measure "$name" "$r" $VIP
    if [ $name != haproxy ] && [ $name != yarp ]; then
      # What the sidecars saw: istio_requests_total exists only once the proxy handles HTTP (not an L4 relay).
      for side in client server; do
        ns=$([ $side = client ] && echo "$C" || echo "$S")
        ip netns exec "$ns" curl -sf http://127.0.0.1:15000/stats/prometheus > "$results/http-$stamp-$name-$side-round$r.prom" || true
      done
      n=$(awk '/^istio_requests_total/ {n += $NF} END {printf "%.0f", n}' "$results/http-$stamp-$name-"*"-round$r.prom")
      http_seen[$name]=$(( ${http_seen[$name]:-0} + n ))
    fi
    stop
  done
done
# ---- memory with many connections held (HOLD) -------------------------------------------------------------------------
declare -A hold_rss hold_hwm hold_seen hold_private
kb() { awk -v k="$2" '$1 == k":" {print $2}' "/proc/$1/status"; }
for h in $holds; do
  for name in $built haproxy; do
    capture on
    start "$C" $name; start "$S" $name
    pids=($PROXY_PIDS)
    inC "$gen" http-hold $VIP $PORT "$h" "$hold_secs" "$HOST" > "$work/hold-out" 2>&1 & holder=$!
    tracer=""
    if [ -n "${HOLD_TRACE:-}" ] && [ $name != haproxy ]; then
      # One sidecar every 100 ms through the burst (the client's; HOLD_TRACE=server: the server's): RSS (of it anonymous
      # memory and the pages of files, its binary's code above all: anon=, file=), and the GC's
      # own figures (live after the last collection, committed, fragmented) with the buffers rented and the
      # connections open (downstream, and the pool's upstream ones), to see what the peak is made of.
      if [ "$HOLD_TRACE" = server ]; then side=server; tns="$S"; tpid=${pids[1]}; else side=client; tns="$C"; tpid=${pids[0]}; fi
      ( t0=$(date +%s.%N); while kill -0 $holder 2>/dev/null; do
          m=$(ip netns exec "$tns" curl -sf -m 1 http://127.0.0.1:15000/stats/prometheus 2>/dev/null | awk '/^waylay_server_memory_(allocated|heap_size|fragmented|buffer_bytes_rented) / {printf " %s=%.1f", substr($1, 22), $2 / 1048576}
            /^waylay_downstream_cx_active/ {d += $2} /^waylay_server_gc_collections_total/ {g = g "/" $2} END {printf " downstream=%d gcs=%s", d, substr(g, 2)}')
          echo "$(awk -v a="$(date +%s.%N)" -v b="$t0" 'BEGIN {printf "%.1f", a - b}') rss=$(awk '$1 == "VmRSS:" {printf "%.1f", $2 / 1024} $1 == "RssFile:" {printf " file=%.1f", $2 / 1024} $1 == "RssAnon:" {printf " anon=%.1f", $2 / 1024}' /proc/$tpid/status)$m"
          sleep 0.1; done ) > "$results/http-$stamp-$name-$side-hold$h.trace" 2>/dev/null & tracer=$!
    fi
    # Once every connection has had its response: halfway through the hold, each sidecar's RSS with them open, idle.
    for _ in $(seq 1 1200); do grep -q '^held' "$work/hold-out" && break; kill -0 $holder 2>/dev/null || break; sleep 0.1; done
    sleep "$(awk -v s="$hold_secs" 'BEGIN { print s / 2 }')"
    for p in "${pids[@]}"; do kb "$p" VmRSS; done > "$work/hold-rss"
    # The process's own pages (not the binary's and libraries' pages it shares with the other sidecar of the run).
    for p in "${pids[@]}"; do awk '/^Private_(Clean|Dirty):/ {n += $2} END {print n}' "/proc/$p/smaps_rollup"; done > "$work/hold-private"
    # How many connections the client-side proxy opened to the server-side one, and the server-side one to the app:
    # each proxy opens one per request in flight that finds no idle one, so the burst's timing decides both, and the
    # server-side proxy's memory follows them (the same count for each proxy would be a fair comparison; it rarely is).
    hold_cx="$(ip netns exec "$S" ss -Htn state established '( sport = :15006 )' | wc -l) in, $(ip netns exec "$S" ss -Htn state established '( dport = :'$PORT' )' | wc -l) to the app"
    [ -z "${KEEP_SMAPS:-}" ] || for p in "${pids[@]}"; do cp "/proc/$p/smaps" "$KEEP_SMAPS/$name-hold$h-$p.smaps"; done
    wait $holder || true
    [ -z "$tracer" ] || wait $tracer || true
    out=$(cat "$work/hold-out")
    hold_seen[$name,$h]=$(awk '/^held/ {print $2 "/" substr($3, 8)}' <<<"$out")
    hold_rss[$name,$h]="$(awk '{printf "%s%.1f", (NR > 1 ? " / " : ""), $1 / 1024}' "$work/hold-rss")"
    hold_private[$name,$h]="$(awk '{printf "%s%.1f", (NR > 1 ? " / " : ""), $1 / 1024}' "$work/hold-private")"
    hold_hwm[$name,$h]="$(for p in "${pids[@]}"; do kb "$p" VmHWM; done | awk '{printf "%s%.1f", (NR > 1 ? " / " : ""), $1 / 1024}')"
    if [ $name != haproxy ]; then
      # The sidecars' own account of their memory (GC heap, committed, pinned) after the hold.
      ip netns exec "$C" curl -sf http://127.0.0.1:15000/stats/prometheus > "$results/http-$stamp-$name-client-hold$h.prom" || true
      ip netns exec "$S" curl -sf http://127.0.0.1:15000/stats/prometheus > "$results/http-$stamp-$name-server-hold$h.prom" || true
    fi
    echo "hold $h $name: $out; RSS ${hold_rss[$name,$h]} MB, private ${hold_private[$name,$h]} MB, peak ${hold_hwm[$name,$h]} MB; server side: $hold_cx" >&2
    stop
  done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- report ----------------------------------------------------------------------------------------------------------
med() { # median of the key over the rounds of a case: med KEY fixed|max NAME
  local key=$1 table=$2 name=$3 r v=()
  for r in $(seq 1 "$rounds"); do
    if [ "$table" = fixed ]; then v+=("$(field "$key" "${fixed[$name,$r]}")"); else v+=("$(field "$key" "${max[$name,$r]}")"); fi
  done
  printf '%s\n' "${v[@]}" | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'
}
best() { # the lowest value of the key over the rounds of a case: best KEY NAME (fixed-rate runs)
  local r; for r in $(seq 1 "$rounds"); do field "$1" "${fixed[$2,$r]}"; done | sort -g | head -1
}
each() { # the key's value in every round: each KEY fixed|max NAME
  local key=$1 table=$2 name=$3 r v=()
  for r in $(seq 1 "$rounds"); do
    if [ "$table" = fixed ]; then v+=("$(field "$key" "${fixed[$name,$r]}")"); else v+=("$(printf %.0f "$(field "$key" "${max[$name,$r]}")")"); fi
  done
  echo "${v[*]}"
}
errors() { local r t=0; for r in $(seq 1 "$rounds"); do t=$((t + $(field errors "${fixed[$1,$r]}") + $(field unsent "${fixed[$1,$r]}") + $(field errors "${max[$1,$r]}"))); done; echo $t; }
sub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%+.3f", a - b }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "–" }'; }
per1000() { awk -v c="$1" -v r="$2" 'BEGIN { if (r > 0) printf "%.3f", c / r * 1000; else printf "–" }'; }
percore() { awk -v c="$1" -v r="$2" 'BEGIN { if (c > 0) printf "%.0f", r / c; else printf "–" }'; }
label() { case $1 in direct) echo "(a) direct";; haproxy) echo "(c) HAProxy (HTTP mode), both sidecars";; yarp) echo "(d) YARP forwarder (tuned), both sidecars";; *) echo "(b) waylay $1, both sidecars";; esac; }
{
  echo "Run $(date -u +%Y-%m-%dT%H:%MZ), commit $commit${PROXY_ENV:+, with $PROXY_ENV for the proxies}${YARP_ENV:+, with $YARP_ENV for YARP}, on $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo), $(uname -r), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $rounds rounds (cases interleaved), each ${secs} s at the fixed rate and ${max_secs} s at the maximum; load average $load_before before, $load_after after; client, server and proxies at niceness $niceness."
  [ -z "${overlap:-}" ] || echo "**Another benchmark ran at the same time as part of this one**: its load is in these figures."
  for kind in $([ -n "${HOLD_ONLY:-}" ] || echo $built); do
    if [ "${http_seen[$kind]:-0}" -gt 0 ]; then
      echo "waylay $kind handled the traffic as HTTP: its sidecars counted ${http_seen[$kind]} requests in istio_requests_total."
    else
      echo "**waylay $kind relayed the traffic at L4** (no istio_requests_total in its sidecars' metrics): these are not HTTP-proxy figures."
    fi
  done
  if [ -z "${HOLD_ONLY:-}" ]; then
    echo
    echo "Latency at a fixed $rate_target requests/s over $conns keep-alive connections (open loop, ms from each request's due time; median of the rounds):"
    echo
    echo "| case | p50 | p90 | p99 | p99.9 | added p50 | added p90 | added p99 | p99 vs HAProxy | best round: p99 | added p99 | vs HAProxy | p99 per round | errors |"
    echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |"
    for n in "${cases[@]}"; do
      if [ $n = direct ]; then added="| | | | | $(best p99 $n) | | |"
      else added="| $(sub "$(med p50 fixed $n)" "$(med p50 fixed direct)") | $(sub "$(med p90 fixed $n)" "$(med p90 fixed direct)") | $(sub "$(med p99 fixed $n)" "$(med p99 fixed direct)") | $(ratio "$(med p99 fixed $n)" "$(med p99 fixed haproxy)") | $(best p99 $n) | $(sub "$(best p99 $n)" "$(best p99 direct)") | $(ratio "$(best p99 $n)" "$(best p99 haproxy)") |"; fi
      echo "| $(label $n) | $(med p50 fixed $n) | $(med p90 fixed $n) | $(med p99 fixed $n) | $(med p999 fixed $n) $added $(each p99 fixed $n) | $(errors $n) |"
    done
    echo
    echo "Maximum rate (closed loop, $max_conns connections; median of the rounds) and the proxies' cost (both sidecars added, over all rounds):"
    echo
    echo "| case | requests/s | vs direct | vs HAProxy | requests/s per round | p50 / p99 at max (ms) | proxy CPU s per 1000 req at $rate_target/s | at max | requests per proxy CPU-second at max | vs HAProxy | RSS at max, client / server sidecar (MB) |"
    echo "| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
    for n in "${cases[@]}"; do
      rps=$(printf %.0f "$(med rate max $n)")
      head="| $(label $n) | $rps | $(ratio "$rps" "$(med rate max direct)") | $([ $n = direct ] || ratio "$rps" "$(med rate max haproxy)") | $(each rate max $n) | $(med p50 max $n) / $(med p99 max $n)"
      if [ $n = direct ]; then echo "$head | | | | | |"; continue; fi
      echo "$head | $(per1000 "${cpu_fixed[$n]}" "${req_fixed[$n]}") | $(per1000 "${cpu_max[$n]}" "${req_max[$n]}") | $(percore "${cpu_max[$n]}" "${req_max[$n]}") | $(ratio "$(percore "${cpu_max[$n]}" "${req_max[$n]}")" "$(percore "${cpu_max[haproxy]}" "${req_max[haproxy]}")") | ${rss_c[$n]:-–} / ${rss_s[$n]:-–} |"
    done
  fi
  if [ -n "$holds" ]; then
    echo
    echo "Connections held through both sidecars ($hold_secs s, one GET each sent at once, then idle; ${body}-byte responses): RSS while held, of it private (smaps_rollup Private_*: not the pages of the binary and libraries both sidecars map) and peak (VmHWM), client / server sidecar (MB):"
    echo
    printf '| case |'; for h in $holds; do printf ' %s held (ok/errors) | RSS | private | peak |' "$h"; done; echo
    printf '| --- |'; for h in $holds; do printf ' ---: | ---: | ---: | ---: |'; done; echo
    for n in $built haproxy; do
      printf '| %s |' "$(label "$n")"
      for h in $holds; do printf ' %s | %s | %s | %s |' "${hold_seen[$n,$h]:-–}" "${hold_rss[$n,$h]:-–}" "${hold_private[$n,$h]:-–}" "${hold_hwm[$n,$h]:-–}"; done; echo
    done
  fi
  if [ -n "${STAT:-}" ]; then
    echo
    echo "Per request at the maximum rate, both sidecars together (first round; perf stat):"
    echo
    printf '| case | system calls | context switches |'; for c in $stat_calls; do printf ' %s |' "$c"; done; echo
    printf '| --- | ---: | ---: |'; for c in $stat_calls; do printf ' ---: |'; done; echo
    for n in "${cases[@]}"; do
      [ -f "$work/stat-$n.csv" ] && [ "${stat_requests[$n]:-0}" -gt 0 ] || continue
      printf '| %s |' "$(label "$n")"
      for e in raw_syscalls:sys_enter context-switches $(for c in $stat_calls; do echo "syscalls:sys_enter_$c"; done); do
        awk -F, -v e="$e" -v n="${stat_requests[$n]}" '$3 == e { printf " %.2f |", $1 / n; found = 1 } END { if (!found) printf " – |" }' "$work/stat-$n.csv"
      done
      echo
    done
  fi
} | tee "$results/http-$stamp.md"
