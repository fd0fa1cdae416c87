#!/usr/bin/env bash
# Writes src/Waylay.Sidecar/hot-methods.txt: the sidecar's methods that run once it is serving, hottest first, which
# the NativeAOT build lays out first in the binary's code (IlcOrderFile, Waylay.Sidecar.csproj). Why: the kernel maps
# a binary's code 64 KiB or more around each page a process touches, so a method run now and then among cold code
# keeps that whole window resident; with the serving methods together the sidecar's code pages under load and in a
# burst of connections shrink (docs/benchmarks.md, "Sidecar memory: the serving code together").
#
# How: bench/http.sh runs the AOT sidecar at the maximum rate and with 1,000 and 9,000 connections held, and each
# waylay sidecar, 1.5 s after it starts (once serving, and past the start's page release), is recorded by perf(1):
# its call stacks at 2,999 Hz (every method on a sampled stack, weighted by samples) and its page faults (each method
# whose first instruction fault maps a page back in, that sampling may miss: timers, the trimmer, the burst's rarer
# paths). The new list: the sampled methods by weight, then the earlier list's methods not sampled this time, then the
# faulted ones; only names the current build has. Each run starts from the binary built with the earlier list, so a
# second run finds what the first one's layout still left among cold code; two or three runs settle it.
# A stale list costs nothing but memory: names the build no longer has are skipped by the compiler.
#
# Usage: sudo bench/hot-methods.sh [SECONDS per measurement, default 3]   (needs perf; about 3 minutes on 2 cores)
# Creates only /tmp/wl-<id>-… files (and bench/http.sh's own wl- namespaces); removes them on exit.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
secs="${1:-3}"
case "$secs" in ''|*[!0-9]*|0) echo "bench/hot-methods.sh: SECONDS must be a positive whole number, e.g. 3 (got '$secs')" >&2; exit 2;; esac
[ "$(id -u)" = 0 ] || { echo "bench/hot-methods.sh: needs root (bench/http.sh's namespaces, perf on other processes): run it with sudo" >&2; exit 2; }
command -v perf >/dev/null || { echo "bench/hot-methods.sh: needs perf(1): apt-get install linux-perf" >&2; exit 2; }
out="$root/src/Waylay.Sidecar/hot-methods.txt"
id="m$(od -An -N2 -tx2 /dev/urandom | tr -d ' ')"
work="/tmp/wl-$id-perf"
mkdir -p "$work"
watcher=""
cleanup() { [ -z "$watcher" ] || kill "$watcher" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

export WAYLAY_ROOT="$root"
. "$root/scripts/ensure-deps.sh"
. "$root/scripts/build.sh"
waylay_build_sidecar
binary="$root/.build/sidecar/waylay-proxy"
[ -f "$binary.dbg" ] || { echo "bench/hot-methods.sh: $binary.dbg is missing (the build strips symbols into it): rebuild with rm -rf $root/.build/sidecar" >&2; exit 1; }

# Every waylay sidecar bench/http.sh starts (its argv: waylay-proxy proxy …), recorded from 1.5 s after it appears.
(
  declare -A seen
  while :; do
    for p in $(pgrep -f -- "-bin/aot/waylay-proxy proxy" || true); do
      [ -n "${seen[$p]:-}" ] && continue
      seen[$p]=1
      ( sleep 1.5
        kill -0 "$p" 2>/dev/null || exit 0
        perf record -q -F 2999 -g -p "$p" -o "$work/$p.samples" >/dev/null 2>&1 &
        perf record -q -e page-faults -c 1 -d -p "$p" -o "$work/$p.faults" >/dev/null 2>&1 &
        wait ) &
    done
    sleep 0.2
  done
) & watcher=$!

AOT_BINARY="$binary" KINDS=aot ROUNDS=2 BODY=1024 HOLD="1000 9000" HOLD_SECONDS=6 \
  "$root/bench/http.sh" "$secs" > "$work/http.md"
kill "$watcher" 2>/dev/null || true; watcher=""
sleep 1

# perf names the binary by the path bench/http.sh ran it from, which it has removed: give perf that path again (a
# symbol tree of our own, --symfs) with the symbols beside it.
symfs="$work/symfs"
for f in "$work"/*.samples "$work"/*.faults; do
  [ -s "$f" ] || continue
  perf buildid-list -i "$f" 2>/dev/null | awk '$2 ~ /waylay-proxy$/ {print $2}'
done | sort -u | while read -r path; do
  mkdir -p "$symfs$(dirname "$path")"
  ln -sf "$binary" "$symfs$path"; ln -sf "$binary.dbg" "$symfs$path.dbg"
done
for f in "$work"/*.samples; do [ -s "$f" ] && perf script -i "$f" --symfs "$symfs" -F ip,sym,dso 2>/dev/null; done > "$work/samples.txt" || true
for f in "$work"/*.faults; do [ -s "$f" ] && perf script -i "$f" --symfs "$symfs" -F addr,ip,sym,dso 2>/dev/null; done > "$work/faults.txt" || true
# The compiler orders only its own code (the section __managedcode), not the runtime's native functions beside it.
read -r lo size < <(readelf -SW "$binary.dbg" 2>/dev/null | awk '{ for (i = 1; i < NF; i++) if ($i == "__managedcode") print $(i + 2), $(i + 4) }') || true
[ -n "${size:-}" ] || { echo "bench/hot-methods.sh: no __managedcode section in $binary.dbg (not a NativeAOT build?)" >&2; exit 1; }
nm --defined-only "$binary.dbg" > "$work/symbols.txt"

python3 - "$work" "$out" "$lo" "$size" <<'EOF'
import collections, os, re, sys
work, out = sys.argv[1], sys.argv[2]
lo = int(sys.argv[3], 16); hi = lo + int(sys.argv[4], 16)
methods = set()
for line in open(os.path.join(work, 'symbols.txt')):
    f = line.split(' ', 2)
    if len(f) == 3 and f[1] in 'tT' and lo <= int(f[0], 16) < hi:
        methods.add(f[2].strip())
ours = lambda name: name in methods
sampled = collections.Counter()
for line in open(os.path.join(work, 'samples.txt'), errors='replace'):
    m = re.match(r'\s*[0-9a-f]+ (\S+) \((.*)\)\s*$', line)
    if m and m.group(2).endswith('waylay-proxy') and ours(m.group(1)):
        sampled[m.group(1)] += 1
faulted = []
for line in open(os.path.join(work, 'faults.txt'), errors='replace'):
    parts = re.findall(r'([0-9a-f]+) (\S+?)(?:\+0x[0-9a-f]+)? \(([^)]*)\)', line)
    # an instruction fetch: the faulting address is the instruction's own
    if len(parts) == 2 and parts[0][0] == parts[1][0] and parts[0][2].endswith('waylay-proxy') and ours(parts[0][1]):
        faulted.append(parts[0][1])
earlier = [l.strip() for l in open(out)] if os.path.exists(out) else []
earlier = [l for l in earlier if l and not l.startswith('#') and ours(l)]
if not sampled:
    sys.exit('bench/hot-methods.sh: perf recorded no sample of the sidecar (is perf allowed here? kernel.perf_event_paranoid)')
order = [n for n, _ in sampled.most_common()]
seen = set(order)
for n in earlier + faulted:
    if n not in seen:
        seen.add(n); order.append(n)
with open(out, 'w') as f:
    f.write('# The sidecar\'s serving methods, hottest first: laid out first in its code (IlcOrderFile). Written by\n')
    f.write('# bench/hot-methods.sh; run it again after a change to the request path (a stale name is skipped).\n')
    f.write('\n'.join(order) + '\n')
print(f'bench/hot-methods.sh: {len(order)} methods ({len(sampled)} sampled, {len(order) - len(sampled)} from the earlier list and page faults) -> {out}')
EOF
