#!/usr/bin/env bash
# Time to apply and to clean up the full capture rule set (Istio's default injected flags + IPv6 + --drop-invalid),
# median of N runs, per backend, in a namespace of its own. Two figures each: the whole `waylay capture` command
# (process start, backend detection, read-back for idempotence, apply) and the bare netfilter transaction
# (iptables-restore / nft -f on the same script), so the cost of Waylay itself is visible.
# Usage: bench/capture-apply.sh [runs]   (root; prints a Markdown table)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-20}"
"$root/waylay" --help >/dev/null   # build once, outside the timings
cli="$root/.build/cli/waylay"
ns="wl-bench-$$"
ip netns add "$ns"
trap 'ip netns del "$ns" 2>/dev/null || true' EXIT
flags=(-p 15001 -z 15006 -u 1337 -m REDIRECT -i '*' -x "" -b '*' -d 15090,15021,15020 --ipv6 --drop-invalid)

now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.1f", m/1e6}'; }

echo "| backend | waylay capture (ms) | waylay capture --cleanup (ms) | bare transaction (ms) |"
echo "| --- | --- | --- | --- |"
for backend in iptables-nft iptables-legacy nft; do
  apply=(); clean=(); bare=()
  for _ in $(seq "$runs"); do
    t0=$(now); "$cli" capture --netns "$ns" "${flags[@]}" --backend "$backend" >/dev/null 2>&1; t1=$(now)
    "$cli" capture --netns "$ns" --cleanup >/dev/null; t2=$(now)
    apply+=($((t1 - t0))); clean+=($((t2 - t1)))
  done
  script=$("$cli" capture "${flags[@]}" --backend "${backend/iptables-legacy/iptables-legacy}" --dry-run)
  for _ in $(seq "$runs"); do
    if [ "$backend" = nft ]; then
      t0=$(now); printf '%s\n' "$script" | ip netns exec "$ns" nft -f -; t1=$(now)
      ip netns exec "$ns" nft delete table ip waylay-nat; ip netns exec "$ns" nft delete table ip6 waylay-nat
      ip netns exec "$ns" nft delete table ip waylay-mangle; ip netns exec "$ns" nft delete table ip6 waylay-mangle
    else
      v4=$(printf '%s\n' "$script" | awk '/^# ip6tables/{exit} {print}')
      t0=$(now); printf '%s\n' "$v4" | ip netns exec "$ns" "$backend-restore" -w 10 --noflush; t1=$(now)
      "$cli" capture --netns "$ns" --cleanup >/dev/null
    fi
    bare+=($((t1 - t0)))
  done
  printf '| %s | %s | %s | %s |\n' "$backend" \
    "$(printf '%s\n' "${apply[@]}" | median)" "$(printf '%s\n' "${clean[@]}" | median)" "$(printf '%s\n' "${bare[@]}" | median)"
done
echo
echo "runs: $runs; rules: $("$cli" capture "${flags[@]}" --dry-run | grep -c '^-A') (IPv4 + IPv6); $(date -u +%Y-%m-%d); $(nproc) cores"
