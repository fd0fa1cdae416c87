#!/usr/bin/env bash
# What `waylay capture` costs an init container, against the bare netfilter transaction of the same rules, same run.
# Every sample runs inside a new namespace of its own (`ip netns exec`, as an init container runs in a new pod's
# namespace), timed in-shell (bash's EPOCHREALTIME: no extra process inside the timed span), the programs and the
# bare transaction interleaved so load on the machine hits them alike. Per rule set and backend:
#   apply      the whole command on an empty namespace (process start, backend detection, reads, the transaction)
#   re-apply   the same command again (reads the rules back, finds nothing to change)
#   cleanup    `waylay capture --cleanup`
#   bare       iptables-restore --noflush (one per family) / nft -f of the same script, nothing else
# Backends: auto (the default; in an empty namespace it picks iptables-nft), iptables-legacy, nft.
#   processes  helper processes an apply and a re-apply start (strace -f -e trace=execve, the command not counted)
# Programs: aot = the NativeAOT build (.build/sidecar/waylay-proxy, what `./waylay capture` and an image run),
#           jit = the CLI (.build/cli/waylay, WAYLAY_PROXY_JIT=1 so it does not hand over),
#           before = another build to compare with, e.g. an older commit's CLI (WAYLAY_BENCH_BEFORE=/path/to/waylay).
# Rule sets: seed = the seed's init-container flags (IPv4); full = Istio's injected defaults + --ipv6 --drop-invalid.
# Usage: bench/capture-apply.sh [runs] [programs]   (root; prints Markdown tables; programs default "aot jit")
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-50}"
programs="${2:-aot jit}"
"$root/waylay" --help >/dev/null                 # builds the CLI once, outside the timings
"$root/waylay" capture --help >/dev/null         # and the NativeAOT build
declare -A bin=([aot]="$root/.build/sidecar/waylay-proxy" [jit]="$root/.build/cli/waylay" [before]="${WAYLAY_BENCH_BEFORE:-}")
declare -A flagsets=(
  [seed]="-p 15001 -u 1337 -m REDIRECT -i '*' -x '' -b 9080, -d ''"
  [full]="-p 15001 -z 15006 -u 1337 -m REDIRECT -i '*' -x '' -b '*' -d 15090,15021,15020 --ipv6 --drop-invalid"
)
namespaces=()
cleanup_namespaces() { for n in "${namespaces[@]}"; do ip netns del "$n" 2>/dev/null || true; done; }
trap cleanup_namespaces EXIT
work="$(mktemp -d /tmp/wl-bench-capture.XXXXXX)"
trap 'cleanup_namespaces; rm -rf "$work"' EXIT

# One sample, inside a fresh namespace: "apply reapply cleanup" in µs for waylay, "transaction" in µs for bare.
inner() { # mode program-or-script backend flags…
  local mode="$1" target="$2" backend="$3"; shift 3
  local t0 t1 t2 t3
  us() { local s="${1/./}"; echo $((10#$s)); }
  if [ "$mode" = waylay ]; then
    t0=$EPOCHREALTIME; "$target" capture "$@" --backend "$backend" >/dev/null 2>&1
    t1=$EPOCHREALTIME; "$target" capture "$@" --backend "$backend" >/dev/null 2>&1
    t2=$EPOCHREALTIME; "$target" capture --cleanup >/dev/null 2>&1
    t3=$EPOCHREALTIME
    echo "$(( $(us "$t1") - $(us "$t0") )) $(( $(us "$t2") - $(us "$t1") )) $(( $(us "$t3") - $(us "$t2") ))"
  elif [ "$backend" = nft ]; then
    t0=$EPOCHREALTIME; nft -f "$target.nft"; t1=$EPOCHREALTIME
    echo "$(( $(us "$t1") - $(us "$t0") ))"
  else
    [ "$backend" = auto ] && backend=iptables-nft   # what auto picks in an empty namespace
    t0=$EPOCHREALTIME
    "$backend-restore" -w 10 --noflush <"$target.v4"
    if [ -s "$target.v6" ]; then "ip6${backend#ip}-restore" -w 10 --noflush <"$target.v6"; fi
    t1=$EPOCHREALTIME
    echo "$(( $(us "$t1") - $(us "$t0") ))"
  fi
}

# Runs one sample in a namespace made for it (an init container always meets a new one), then removes it.
sample() { # name command…
  local ns="$1"; shift
  ip netns add "$ns"; namespaces+=("$ns")
  ip netns exec "$ns" "$@"
  ip netns del "$ns"
}

# Processes one command starts (execve calls, the command's own not counted), in a fresh namespace.
execs() { # ns command…
  local ns="$1"; shift
  ip netns add "$ns"; namespaces+=("$ns")
  ip netns exec "$ns" env WAYLAY_PROXY_JIT=1 strace -f -qq -z -e trace=execve -o "$work/trace.1" "$@" >/dev/null 2>&1
  ip netns exec "$ns" env WAYLAY_PROXY_JIT=1 strace -f -qq -z -e trace=execve -o "$work/trace.2" "$@" >/dev/null 2>&1
  ip netns del "$ns"
  echo "$(( $(grep -c 'execve(' "$work/trace.1") - 1 )) / $(( $(grep -c 'execve(' "$work/trace.2") - 1 ))"
}

median() { sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.1f", m/1000}'; }
p90() { sort -n | awk '{a[NR]=$1} END {i=int(NR*0.9); if (i<1) i=1; printf "%.1f", a[i]/1000}'; }
column() { awk -v c="$1" '{print $c}'; }

echo "| rule set | backend | program | apply (ms, median / p90) | re-apply (ms) | cleanup (ms) | bare transaction (ms) | apply ÷ bare | processes started (apply / re-apply) |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
for set in seed full; do
  eval "flags=(${flagsets[$set]})"
  for backend in auto iptables-legacy nft; do
    # The bare transaction: the very script waylay writes for an empty namespace, split per family.
    script="$work/$set-$backend"
    "${bin[jit]}" capture "${flags[@]}" --backend "$backend" --dry-run | grep -v '^# ip -' >"$script.all"
    awk '/^# ip6tables/{exit} {print}' "$script.all" >"$script.v4"
    awk 'f{print} /^# ip6tables/{f=1}' "$script.all" >"$script.v6"
    cp "$script.all" "$script.nft"
    declare -A out=()
    bare=""
    # Interleaved, so a burst of load on the machine hits every program alike.
    for i in $(seq "$runs"); do
      bare+="$(sample "wl-bench-$$-$i" bash -c "$(declare -f inner); inner bare '$script' '$backend'")"$'\n'
      for program in $programs; do
        out[$program]+="$(sample "wl-bench-$$-$i" env WAYLAY_PROXY_JIT=1 bash -c "$(declare -f inner); inner waylay '${bin[$program]}' '$backend' \"\$@\"" _ "${flags[@]}")"$'\n'
      done
    done
    bare_median=$(printf '%s' "$bare" | median)
    for program in $programs; do
      samples="${out[$program]}"
      apply_median=$(printf '%s' "$samples" | column 1 | median)
      printf '| %s | %s | %s | %s / %s | %s | %s | %s | %.1f× | %s |\n' "$set" "$backend" "$program" \
        "$apply_median" "$(printf '%s' "$samples" | column 1 | p90)" \
        "$(printf '%s' "$samples" | column 2 | median)" "$(printf '%s' "$samples" | column 3 | median)" "$bare_median" \
        "$(awk -v a="$apply_median" -v b="$bare_median" 'BEGIN {print a/b}')" \
        "$(execs "wl-bench-$$-x" "${bin[$program]}" capture "${flags[@]}" --backend "$backend")"
    done
    unset out
  done
done
# Load on a shared machine stretches wall time; CPU time does not. perf stat's task-clock (the command and every
# process it starts) for the seed's flags on an empty namespace (nft flush ruleset before each run), next to the
# parts the floor is made of.
if command -v perf >/dev/null; then
  eval "flags=(${flagsets[seed]})"
  ns="wl-bench-$$-cpu"; ip netns add "$ns"; namespaces+=("$ns")
  cpu() { # label command…
    local label="$1"; shift
    ip netns exec "$ns" env WAYLAY_PROXY_JIT=1 perf stat -r "$runs" --pre 'nft flush ruleset' -x, -e task-clock -- "$@" \
      <"$work/seed-auto.v4" 2>&1 >/dev/null | awk -F, -v l="$label" '/task-clock/ {printf "| %s | %.2f |\n", l, $1}'
  }
  echo
  echo "| seed flags, empty namespace | CPU ms (task-clock, mean) |"
  echo "| --- | --- |"
  cpu "waylay capture, aot" "${bin[aot]}" capture "${flags[@]}"
  cpu "waylay capture, jit" "${bin[jit]}" capture "${flags[@]}"
  if [ -n "${bin[before]}" ]; then cpu "waylay capture, before" "${bin[before]}" capture "${flags[@]}"; fi
  cpu "waylay capture --dry-run, aot (start, parse, plan, render)" "${bin[aot]}" capture "${flags[@]}" --dry-run
  cpu "nft list tables (what the survey started before it asked over netlink)" nft list tables
  cpu "iptables-nft-restore --noflush (the transaction)" iptables-nft-restore -w 10 --noflush
  cpu "/bin/true (a process start)" /bin/true
fi

echo
echo "runs: $runs per cell; $(date -u +%Y-%m-%d); $(nproc) cores; $(uname -r); $(iptables --version)"
