#!/usr/bin/env bash
# An injected pod's start under `waylay up --runtime oci` (its three containers from images through runc) beside the
# process runtime (the same programs as processes of this machine), both from the same binaries: the waylay image's
# sidecar, and busybox httpd unpacked from the app image (the process runtime runs it through an --images entry).
# Per run: t0 = the pod's state directory appears (its sandbox starts); init done = the proxy's container record is
# written (the kubelet starts the containers the moment the init container exits 0); proxy ready = :15021/healthz/ready
# answers 200; app ready = GET :8080/index.html answers 200 through the capture rules and the sidecar's inbound. Polled
# by one bash (EPOCHREALTIME; /dev/tcp inside the node's namespace, no process per poll). Also the whole `waylay up`
# (DNS, control plane and the pod) to its return, when every readiness probe has passed.
# Needs the waylay image archive (.build/image/cache/*.tar, made by the Node tests' BuiltImage or
# `./waylay image build --out`) and the busybox app archive (.build/image/app-cache/*.tar, made by the OCI tests).
# Usage (root): bench/oci-start.sh [runs per runtime, default 5]; prints Markdown rows. Removes what it made.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-5}"
cli="$root/.build/cli/waylay"
"$root/waylay" up --help >/dev/null # builds the CLI and puts waylay-proxy beside it, outside the timings
waylay_image=$(ls "$root"/.build/image/cache/*.tar | head -1)
app_image=$(ls "$root"/.build/image/app-cache/*.tar | head -1)
id="wl-bench-$(printf '%04x' $RANDOM)"
work="$(mktemp -d "/tmp/$id.XXXXXX")"
chmod 755 "$work" # the process runtime runs busybox from the store as uid 1000
run=""
cleanup() { [ -n "$run" ] && "$cli" down "$run" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
export WAYLAY_IMAGE_STORE="$work/store"
"$cli" image load "$waylay_image" >/dev/null
"$cli" image load "$app_image" >/dev/null
busybox=$(ls "$work"/store/rootfs/*/bin/busybox)
cat > "$work/images.yaml" <<YAML
"localhost/wl-test/busybox:1": {command: [$busybox]}
YAML
cat > "$work/web.yaml" <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: site}
data: {index.html: "served"}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {selector: {app: web}, ports: [{name: http, port: 80, targetPort: 8080}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: localhost/wl-test/busybox:1
        args: [httpd, -f, -p, "8080", -h, /srv/site]
        ports: [{containerPort: 8080}]
        securityContext: {runAsUser: 1000, runAsGroup: 1000}
        readinessProbe: {httpGet: {path: /index.html, port: 8080}, periodSeconds: 1}
        volumeMounts: [{name: site, mountPath: /srv/site}]
      volumes: [{name: site, configMap: {name: site}}]
YAML

ms() { echo "($2 - $1) * 1000" | bc | xargs printf '%.0f'; }
echo "| runtime | run | init done | proxy ready | app ready (through the sidecar) | waylay up → all ready |"
echo "|---|---:|---:|---:|---:|---:|"
for runtime in process oci; do
  for i in $(seq "$runs"); do
    run="b$(printf '%04x' $RANDOM)$i"
    state="/run/waylay/$run"
    start=$EPOCHREALTIME
    "$cli" up "$work/web.yaml" --run "$run" --runtime "$runtime" --images "$work/images.yaml" --expose web >"$work/up.log" 2>&1 &
    up=$!
    until pod=$(ls -d "$state"/pods/web-* 2>/dev/null); do sleep 0.002; done
    t0=$EPOCHREALTIME
    until [ -e "$pod/containers/waylay-proxy.json" ]; do sleep 0.002; done
    tinit=$EPOCHREALTIME
    until ip=$(grep -o '"address": *"10\.244\.[0-9.]*' "$pod/pod.json" 2>/dev/null | grep -o '10\.244\.[0-9.]*'); do sleep 0.002; done
    read -r tproxy tapp < <(ip netns exec "wl-$run-node1" bash -c '
      poll() { while :; do
          if { exec 3<>"/dev/tcp/$1/$2"; } 2>/dev/null; then
            printf "GET %s HTTP/1.0\r\nHost: x\r\n\r\n" "$3" >&3
            if read -r -t 2 status <&3 && [[ $status == *" 200 "* ]]; then exec 3>&-; echo "$EPOCHREALTIME"; return; fi
            exec 3>&-
          fi
          sleep 0.002
        done; }
      echo "$(poll "$0" 15021 /healthz/ready) $(poll "$0" 8080 /index.html)"' "$ip")
    wait "$up"
    end=$EPOCHREALTIME
    echo "| $runtime | $i | $(ms "$t0" "$tinit") ms | $(ms "$t0" "$tproxy") ms | $(ms "$t0" "$tapp") ms | $(ms "$start" "$end") ms |"
    "$cli" down "$run" >/dev/null
    run=""
  done
done
