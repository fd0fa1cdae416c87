#!/usr/bin/env bash
# What `waylay capture` costs an init container, against the bare netfilter transaction of the same rules, same run.
# Everything runs inside a namespace of its own (`ip netns exec`, as an init container runs in the pod's namespace),
# timed in-shell (bash's EPOCHREALTIME: no extra process inside the timed span). Per rule set and backend:
#   apply      the whole command on an empty namespace (process start, backend detection, reads, the transaction)
#   re-apply   the same command again (reads the rules back, finds nothing to change)
#   cleanup    `waylay capture --cleanup`
#   bare       iptables-restore --noflush (one per family) / nft -f of the same script, nothing else
#   execs      helper processes one apply starts (strace -f -e trace=execve, the command itself not counted)
# Programs: aot = the NativeAOT build (.build/sidecar/waylay-proxy, what `./waylay capture` and an image run),
#           jit = the CLI (.build/cli/waylay, WAYLAY_PROXY_JIT=1 so it does not hand over).
# Rule sets: seed = the seed's init-container flags (IPv4); full = Istio's injected defaults + --ipv6 --drop-invalid.
# Usage: bench/capture-apply.sh [runs] [programs]   (root; prints a Markdown table; programs default "aot jit")
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-50}"
programs="${2:-aot jit}"
"$root/waylay" --help >/dev/null                 # builds the CLI once, outside the timings
"$root/waylay" capture --help >/dev/null         # and the NativeAOT build
declare -A bin=([aot]="$root/.build/sidecar/waylay-proxy" [jit]="$root/.build/cli/waylay")
declare -A flagsets=(
  [seed]="-p 15001 -u 1337 -m REDIRECT -i '*' -x '' -b 9080, -d ''"
  [full]="-p 15001 -z 15006 -u 1337 -m REDIRECT -i '*' -x '' -b '*' -d 15090,15021,15020 --ipv6 --drop-invalid"
)
namespaces=()
cleanup_namespaces() { for n in "${namespaces[@]}"; do ip netns del "$n" 2>/dev/null || true; done; }
trap cleanup_namespaces EXIT
work="$(mktemp -d /tmp/wl-bench-capture.XXXXXX)"
trap 'cleanup_namespaces; rm -rf "$work"' EXIT

# Runs inside the namespace: prints "apply reapply cleanup" in µs per run, or "bare" in µs per run.
inner() { # mode program-or-script backend runs flags…
  local mode="$1" target="$2" backend="$3" n="$4"; shift 4
  local t0 t1 t2 t3
  us() { local s="${1/./}"; echo $((10#$s)); }
  for _ in $(seq "$n"); do
    if [ "$mode" = waylay ]; then
      t0=$EPOCHREALTIME; "$target" capture "$@" --backend "$backend" >/dev/null 2>&1
      t1=$EPOCHREALTIME; "$target" capture "$@" --backend "$backend" >/dev/null 2>&1
      t2=$EPOCHREALTIME; "$target" capture --cleanup >/dev/null 2>&1
      t3=$EPOCHREALTIME
      echo "$(( $(us "$t1") - $(us "$t0") )) $(( $(us "$t2") - $(us "$t1") )) $(( $(us "$t3") - $(us "$t2") ))"
    else
      if [ "$backend" = nft ]; then
        t0=$EPOCHREALTIME; nft -f "$target.nft"; t1=$EPOCHREALTIME
        nft delete table ip waylay-nat 2>/dev/null || true; nft delete table ip6 waylay-nat 2>/dev/null || true
        nft delete table ip waylay-mangle 2>/dev/null || true; nft delete table ip6 waylay-mangle 2>/dev/null || true
      else
        t0=$EPOCHREALTIME
        "$backend-restore" -w 10 --noflush <"$target.v4"
        if [ -s "$target.v6" ]; then "ip6${backend#ip}-restore" -w 10 --noflush <"$target.v6"; fi
        t1=$EPOCHREALTIME
        "$bin_jit" capture --cleanup >/dev/null 2>&1
      fi
      echo "$(( $(us "$t1") - $(us "$t0") ))"
    fi
  done
}
export bin_jit="${bin[jit]}"

median() { sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.1f", m/1000}'; }
p90() { sort -n | awk '{a[NR]=$1} END {i=int(NR*0.9); if (i<1) i=1; printf "%.1f", a[i]/1000}'; }
column() { awk -v c="$1" '{print $c}'; }

echo "| rule set | backend | program | apply (ms, median / p90) | re-apply (ms) | cleanup (ms) | bare transaction (ms) | apply ÷ bare | helper processes per apply |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
for set in seed full; do
  eval "flags=(${flagsets[$set]})"
  for backend in iptables-nft iptables-legacy nft; do
    # The bare transaction: the very script waylay writes for an empty namespace, split per family.
    script="$work/$set-$backend"
    "${bin[jit]}" capture "${flags[@]}" --backend "$backend" --dry-run | grep -v '^# ip -' >"$script.all"
    awk '/^# ip6tables/{exit} {print}' "$script.all" >"$script.v4"
    awk 'f{print} /^# ip6tables/{f=1}' "$script.all" >"$script.v6"
    cp "$script.all" "$script.nft"
    ns="wl-bench-$$-$set-$backend"
    ip netns add "$ns"; namespaces+=("$ns")
    bare=$(ip netns exec "$ns" bash -c "$(declare -f inner); inner bare '$script' '$backend' '$runs'")
    bare_median=$(printf '%s\n' "$bare" | median)
    for program in $programs; do
      target="${bin[$program]}"
      out=$(ip netns exec "$ns" env WAYLAY_PROXY_JIT=1 bash -c "$(declare -f inner); inner waylay '$target' '$backend' '$runs' \"\$@\"" _ "${flags[@]}")
      # One more apply under strace: how many processes it starts (execve calls minus the command's own).
      execs=$(ip netns exec "$ns" env WAYLAY_PROXY_JIT=1 strace -f -qq -e trace=execve -o "$work/trace" "$target" capture "${flags[@]}" --backend "$backend" >/dev/null 2>&1 \
        && grep -c 'execve(' "$work/trace" || true)
      ip netns exec "$ns" "${bin[jit]}" capture --cleanup >/dev/null 2>&1
      apply_median=$(printf '%s\n' "$out" | column 1 | median)
      printf '| %s | %s | %s | %s / %s | %s | %s | %s | %.1f× | %s |\n' "$set" "$backend" "$program" \
        "$apply_median" "$(printf '%s\n' "$out" | column 1 | p90)" \
        "$(printf '%s\n' "$out" | column 2 | median)" "$(printf '%s\n' "$out" | column 3 | median)" "$bare_median" \
        "$(awk -v a="$apply_median" -v b="$bare_median" 'BEGIN {print a/b}')" "$((execs - 1))"
    done
  done
done
echo
echo "runs: $runs per cell; $(date -u +%Y-%m-%d); $(nproc) cores; $(uname -r); $(iptables --version)"
