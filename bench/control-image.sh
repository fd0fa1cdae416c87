#!/usr/bin/env bash
# The control plane and the webhook started from the image as `waylay install` deploys them (issue 19):
#   bench/control-image.sh [runs] [archive]
# runs (default 20) times, each in a fresh network namespace and a fresh bundle (umoci unpack), with runc: the
# control plane's Deployment args (`control --port 15010 --debug-port 15014`, its cluster source --in-cluster swapped
# for `-f` on one mounted Service, as there is no API server here) from `runc run` to /ready 200 on the debug port, and
# the webhook's (`webhook --cert … --key … --port 15017`, certificates mounted where the Secret is) from `runc run` to
# /healthz 200 over TLS; both as uid 65532, no capabilities, read-only root. Polls with curl inside the namespace
# (one process per poll, so a few ms of it are curl's). The archive defaults to a fresh `./waylay image build`.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-20}"; archive="${2:-}"
source "$root/bench/runc-common.sh"   # ref, id, work, namespaces/containers and their cleanup, init_args/proxy_args

if [ -z "$archive" ]; then
  archive="$work/image.tar"
  "$root/waylay" image build --out "$archive" >/dev/null
fi
echo "archive: $(stat -c %s "$archive") bytes"
skopeo copy --quiet "oci-archive:$archive:$ref" "oci:$work/layout:$ref"
mkdir -p "$work/mesh"
printf 'apiVersion: v1\nkind: Service\nmetadata: {name: reviews, namespace: default}\nspec: {selector: {app: reviews}, ports: [{name: http, port: 9080}]}\n' > "$work/mesh/reviews.yaml"
umoci unpack --image "$work/layout:$ref" "$work/tools" >/dev/null
"$work/tools/rootfs/usr/local/bin/waylay-control" webhook certs --out "$work/certs" >/dev/null
chmod 644 "$work/certs/tls.key"   # a Secret volume's defaultMode

bundle() { # name args-json mount-source mount-destination netns
  local b="$work/bundle-$1"
  umoci unpack --image "$work/layout:$ref" "$b" >/dev/null
  python3 - "$b/config.json" "$2" "$3" "$4" "$5" <<'PY'
import json, sys
path, args, source, destination, netns = sys.argv[1:]
c = json.load(open(path)); p = c["process"]; p["terminal"] = False
p["args"] = p["args"][:1] + json.loads("[" + args + "]")
p["user"] = {"uid": 65532, "gid": 65532}
p["capabilities"] = {k: [] for k in ("bounding", "effective", "permitted")}
c["root"] = {"path": "rootfs", "readonly": True}
c["mounts"].append({"destination": destination, "type": "bind", "source": source, "options": ["rbind", "ro"]})
for ns in c["linux"]["namespaces"]:
    if ns["type"] == "network": ns["path"] = "/run/netns/" + netns
json.dump(c, open(path, "w"))
PY
  echo "$b"
}

us() { local s="${1/./}"; echo $((10#$s)); }
poll() { # netns url → the time it first answered 200
  ip netns exec "$1" bash -c '
    end=$(( ${EPOCHREALTIME/./} + 30000000 ))
    while (( ${EPOCHREALTIME/./} < end )); do
      if [ "$(curl -sk -o /dev/null -w "%{http_code}" "$0")" = 200 ]; then echo "$EPOCHREALTIME"; exit 0; fi
    done
    exit 1' "$2"
}
declare -a control=() webhook=()
for n in $(seq 1 "$runs"); do
  ns="$id-$n"; ip netns add "$ns"; namespaces+=("$ns"); ip -n "$ns" link set lo up
  b=$(bundle "c$n" '"control","-f","/etc/waylay/mesh","--port","15010","--debug-port","15014"' "$work/mesh" /etc/waylay/mesh "$ns"); containers+=("$id-c$n")
  t0=$EPOCHREALTIME; runc run --bundle "$b" "$id-c$n" >/dev/null 2>&1 &
  t1=$(poll "$ns" http://127.0.0.1:15014/ready) || { echo "control $id-c$n never got ready" >&2; exit 1; }
  control+=($(( $(us "$t1") - $(us "$t0") )))
  runc kill "$id-c$n" KILL 2>/dev/null || true
  b=$(bundle "w$n" '"webhook","--cert","/etc/waylay/webhook/tls.crt","--key","/etc/waylay/webhook/tls.key","--port","15017"' "$work/certs" /etc/waylay/webhook "$ns"); containers+=("$id-w$n")
  t0=$EPOCHREALTIME; runc run --bundle "$b" "$id-w$n" >/dev/null 2>&1 &
  t1=$(poll "$ns" https://127.0.0.1:15017/healthz) || { echo "webhook $id-w$n never got ready" >&2; exit 1; }
  webhook+=($(( $(us "$t1") - $(us "$t0") )))
  runc kill "$id-w$n" KILL 2>/dev/null || true
done
stats() { sort -n | awk '{a[NR]=$1} END {printf "%.1f | %.1f | %.1f", a[int((NR+1)/2)]/1000, a[int(NR*0.9+0.5)]/1000, a[NR]/1000}'; }
echo "| from the image ($runs runs) | median ms | p90 ms | max ms |"; echo "|---|---:|---:|---:|"
echo "| control plane: \`runc run\` → /ready 200 (debug port) | $(printf '%s\n' "${control[@]}" | stats) |"
echo "| webhook: \`runc run\` → /healthz 200 (TLS) | $(printf '%s\n' "${webhook[@]}" | stats) |"
