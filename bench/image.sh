#!/usr/bin/env bash
# The Waylay image (`waylay image build`), measured: build time and compressed size; then, run with runc from the image
# as a kubelet would run the injected containers, an injected pod's init container (capture) from `runc run` to its
# exit, and its proxy (uid 1337, read-only root, no capabilities) from `runc run` to /healthz/ready answering 200.
# Each sample gets a fresh namespace (wl-bench-<rand>-N) and a fresh bundle (umoci unpack); timings are taken by a bash
# inside the namespace (EPOCHREALTIME; readiness polled over /dev/tcp, no process started per poll). For scale:
# `runc run` of `waylay-proxy --version`, the runtime's own share of every container start.
# The args are what `waylay inject` renders for a plain pod (bench/runc-common.sh).
# Usage: bench/image.sh [runs] [builds]   (root; prints Markdown)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-20}"; builds="${2:-2}"
source "$root/bench/runc-common.sh"   # ref, id, work, namespaces/containers and their cleanup, init_args/proxy_args

"$root/waylay" --help >/dev/null                      # the CLI and (below) the sidecar built outside the timings
"$root/waylay" capture --help >/dev/null
echo "| build | seconds | compressed bytes | digest |"; echo "|---|---:|---:|---|"
for b in $(seq 1 "$builds"); do
  t0=$EPOCHREALTIME
  digest=$("$root/waylay" image build --out "$work/image.tar" 2>/dev/null)
  t1=$EPOCHREALTIME
  echo "| $b | $(echo "$t1 - $t0" | bc) | $(stat -c %s "$work/image.tar") | ${digest#*@} |"
done
skopeo copy --quiet "oci-archive:$work/image.tar:$ref" "oci:$work/layout:$ref"

bundle() { # n args-json uid caps-json readonly netns
  local b="$work/bundle-$1"
  umoci unpack --image "$work/layout:$ref" "$b" >/dev/null
  python3 - "$b/config.json" "$2" "$3" "$4" "$5" "$6" <<'PY'
import json, sys
path, args, uid, caps, readonly, netns = sys.argv[1:]
c = json.load(open(path)); p = c["process"]; p["terminal"] = False
p["args"] = p["args"][:1] + json.loads("[" + args + "]")
p["user"] = {"uid": int(uid), "gid": int(uid)}
p["capabilities"] = {k: json.loads(caps) for k in ("bounding", "effective", "permitted")}
c["root"] = {"path": "rootfs", "readonly": readonly == "1"}
for ns in c["linux"]["namespaces"]:
    if ns["type"] == "network": ns["path"] = "/run/netns/" + netns
json.dump(c, open(path, "w"))
PY
  echo "$b"
}

us() { local s="${1/./}"; echo $((10#$s)); }
declare -a base=() init=() ready=()
for n in $(seq 1 "$runs"); do
  ns="$id-$n"; ip netns add "$ns"; namespaces+=("$ns"); ip -n "$ns" link set lo up
  b=$(bundle "v$n" '"--version"' 0 '[]' 1 "$ns"); containers+=("$id-v$n")
  t0=$EPOCHREALTIME; runc run --bundle "$b" "$id-v$n" >/dev/null 2>&1; t1=$EPOCHREALTIME
  base+=($(( $(us "$t1") - $(us "$t0") )))
  b=$(bundle "i$n" "$init_args" 0 '["CAP_NET_ADMIN","CAP_NET_RAW"]' 0 "$ns"); containers+=("$id-i$n")
  t0=$EPOCHREALTIME; runc run --bundle "$b" "$id-i$n" >/dev/null 2>&1; t1=$EPOCHREALTIME
  init+=($(( $(us "$t1") - $(us "$t0") )))
  b=$(bundle "p$n" "$proxy_args" 1337 '[]' 1 "$ns"); containers+=("$id-p$n")
  # runc runs outside the namespace (`ip netns exec` remounts /sys, which runc's cgroup setup must not see); the
  # poller inside it starts while the proxy starts and stamps the moment /healthz/ready says 200 (30 s at most).
  t0=$EPOCHREALTIME; runc run --bundle "$b" "$id-p$n" >/dev/null 2>&1 &
  t1=$(ip netns exec "$ns" bash -c '
    end=$(( ${EPOCHREALTIME/./} + 30000000 ))
    while (( ${EPOCHREALTIME/./} < end )); do
      if { exec 3<>/dev/tcp/127.0.0.1/15021; } 2>/dev/null; then
        printf "GET /healthz/ready HTTP/1.0\r\n\r\n" >&3; read -r line <&3 || true; exec 3>&-
        [[ "$line" == *" 200 "* ]] && { echo "$EPOCHREALTIME"; exit 0; }
      fi
    done
    exit 1') || { echo "proxy $id-p$n never got ready" >&2; exit 1; }
  ready+=($(( $(us "$t1") - $(us "$t0") )))
  runc kill "$id-p$n" KILL 2>/dev/null || true
done
stats() { sort -n | awk '{a[NR]=$1} END {printf "%.1f | %.1f | %.1f", a[int((NR+1)/2)]/1000, a[int(NR*0.9+0.5)]/1000, a[NR]/1000}'; }
echo; echo "| from the image ($runs runs) | median ms | p90 ms | max ms |"; echo "|---|---:|---:|---:|"
echo "| runc run \`waylay --version\` (the runtime's own share) | $(printf '%s\n' "${base[@]}" | stats) |"
echo "| init container: \`runc run\` → capture done (exit 0) | $(printf '%s\n' "${init[@]}" | stats) |"
echo "| proxy: \`runc run\` → /healthz/ready 200 | $(printf '%s\n' "${ready[@]}" | stats) |"
