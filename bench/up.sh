#!/usr/bin/env bash
# Measures `waylay up samples/bookinfo`: the time from the command to every pod ready (the command returns then), the
# memory of the whole running mesh (RSS of every process in the run's namespaces, plus the supervisor) and per process,
# and the load average when each run started.
# Usage (root): bench/up.sh [runs, default 3] [runtimes, default "process"] [node counts, default "1 2"] [CLIs]; e.g.
# `bench/up.sh 3 "process oci" 1` interleaves the two runtimes run by run, one node. Uses the built CLI (`./waylay up`
# builds it, with the NativeAOT sidecar and control plane beside it), or each of the CLIs given (paths, interleaved run
# by run too: a before/after comparison in one session, e.g. a copy of .build/cli made before a change). With oci, the images come from $WAYLAY_IMAGE_STORE when set, else from a fresh store of this script's
# (removed at the end) loaded with the archives the Node tests build: the waylay image (.build/image/cache/*.tar) and
# Bookinfo's (.build/image/bookinfo-cache/*.tar, or `./waylay image build --bookinfo`).
# Each run gets a random id and is removed with `waylay down <id>` even when the script is interrupted.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cli="$root/.build/cli/waylay"
repeat="${1:-3}"
runtimes="${2:-process}"
node_counts="${3:-1 2}"
"$root/waylay" up --help >/dev/null # builds what changed and puts the AOT builds beside the CLI, as `./waylay up` does
clis="${4:-$cli}"
run=""
store=""
cleanup() { [ -n "$run" ] && "$cli" down "$run" >/dev/null 2>&1 || true; [ -n "$store" ] && rm -rf "$store"; }
trap cleanup EXIT

if [[ " $runtimes " == *" oci "* && -z "${WAYLAY_IMAGE_STORE:-}" ]]; then
  store="$(mktemp -d /tmp/wl-bench-store.XXXXXX)"
  export WAYLAY_IMAGE_STORE="$store"
  "$cli" image load "$(ls "$root"/.build/image/cache/*.tar | head -1)" >/dev/null
  "$cli" image load "$(ls "$root"/.build/image/bookinfo-cache/*.tar | head -1)" >/dev/null
fi

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

for nodes in $node_counts; do
  for i in $(seq "$repeat"); do
    for runtime in $runtimes; do
      for cli in $clis; do
        run="bn$(head -c2 /dev/urandom | od -An -tx1 | tr -d ' \n')$i"
        load=$(cut -d' ' -f1 /proc/loadavg)
        start=$(date +%s.%N)
        "$cli" up "$root/samples/bookinfo" --run "$run" --nodes "$nodes" --runtime "$runtime" >/dev/null
        end=$(date +%s.%N)
        sleep 5 # let start-up garbage settle before reading memory
        pids=$(for ns in $(ip netns list | awk -v p="wl-$run-" 'index($1, p) == 1 {print $1}'); do ip netns pids "$ns"; done | sort -un)
        supervisor=$(grep -o '"pid": *[0-9]*' "/run/waylay/$run/up/supervisor.json" | grep -o '[0-9]*$')
        total=0
        rows=""
        for pid in $pids $supervisor; do
          kib=$(rss_kib "$pid"); total=$((total + kib))
          rows+="$(printf '%8s KiB  %s' "$kib" "$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | cut -c1-110)")"$'\n'
        done
        printf 'cli=%s runtime=%s nodes=%s run=%s load=%s ready_after=%s s processes=%s total_rss=%s MiB\n' "$cli" "$runtime" "$nodes" "$run" "$load" \
          "$(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.1f", b - a}')" \
          "$(echo $pids $supervisor | wc -w)" "$(awk -v t="$total" 'BEGIN {printf "%.1f", t / 1024}')"
        if [ "$i" = 1 ]; then printf '%s' "$rows" | sort -rn | head -40; fi
        "$cli" down "$run" >/dev/null
        run=""
      done
    done
  done
done
