#!/usr/bin/env bash
# An injected pod's containers started from the image, split into runc's share and the program's own (issue 19):
#   bench/image-start.sh [runs] [archive]
# Per sample, each container in a fresh network namespace, configured as bench/image.sh does (the injected args, uid,
# capabilities, read-only root), from one unpacked tree of the image (a kubelet's snapshot is a mount, not an unpack):
#   whole    `runc run` to the end: `waylay --version` (the runtime alone), capture's exit, the proxy's first 200 of
#            /healthz/ready
#   split    `runc create` (namespaces, mounts, cgroups, pivot_root: everything but the exec), then the program's own
#            time from its release (reading the container's exec.fifo, which is what `runc start` does: the init
#            execs the program the moment it returns) to capture's exit / the proxy's first 200
#   native   the same binary from the same tree run directly (fork+exec) in a namespace, to the same end
# Timings by one python3 per step inside the namespace (monotonic clock; readiness polled over a socket every 1 ms).
# The archive defaults to a fresh `./waylay image build`. Root; prints Markdown.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-20}"; archive="${2:-}"
source "$root/bench/runc-common.sh"   # ref, id, work, namespaces/containers and their cleanup, init_args/proxy_args
chmod 755 "$work"   # the proxy runs as uid 1337 from the tree in it

if [ -z "$archive" ]; then archive="$work/image.tar"; "$root/waylay" image build --out "$archive" >/dev/null; fi
skopeo copy --quiet "oci-archive:$archive:$ref" "oci:$work/layout:$ref"
umoci unpack --image "$work/layout:$ref" "$work/image" >/dev/null; chmod 755 "$work/image"
tree="$work/image/rootfs"

bundle() { # name args-json uid caps-json readonly netns → a bundle over the shared tree
  local b="$work/b-$1"; mkdir -p "$b"
  python3 - "$work/image/config.json" "$b/config.json" "$tree" "$2" "$3" "$4" "$5" "$6" <<'PY'
import json, sys
src, dst, tree, args, uid, caps, readonly, netns = sys.argv[1:]
c = json.load(open(src)); p = c["process"]; p["terminal"] = False
p["args"] = p["args"][:1] + json.loads("[" + args + "]")
p["user"] = {"uid": int(uid), "gid": int(uid)}
p["capabilities"] = {k: json.loads(caps) for k in ("bounding", "effective", "permitted")}
c["root"] = {"path": tree, "readonly": readonly == "1"}
for ns in c["linux"]["namespaces"]:
    if ns["type"] == "network": ns["path"] = "/run/netns/" + netns
json.dump(c, open(dst, "w"))
PY
  echo "$b"
}
netns() { ns="$id-$1"; ip netns add "$ns"; namespaces+=("$ns"); ip -n "$ns" link set lo up; } # sets ns (no subshell: the list is the cleanup's)

# timer.py MODE …: prints microseconds. release-exit ID / release-ready ID: from the fifo's release to the container's
# exit / first 200; native-exit UID BINARY ARGS / native-ready UID BINARY ARGS (a JSON list's items): from fork+exec to exit / first 200; ready GO: touches GO, then prints the epoch (as bash's EPOCHREALTIME) of the first 200.
cat > "$work/timer.py" <<'PY'
import json, os, select, socket, subprocess, sys, time
mode, rest = sys.argv[1], sys.argv[2:]
def ready(deadline=30):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        try:
            with socket.create_connection(("127.0.0.1", 15021), timeout=1) as s:
                s.sendall(b"GET /healthz/ready HTTP/1.0\r\n\r\n")
                if b" 200 " in s.recv(64): return time.monotonic()
        except OSError: pass
        time.sleep(0.001)
    sys.exit("never ready")
if mode.startswith("release"):
    cid = rest[0]; state = json.loads(subprocess.check_output(["runc", "state", cid]))
    pidfd = os.pidfd_open(state["pid"]); fifo = f"/run/runc/{cid}/exec.fifo"
    t0 = time.monotonic()
    with open(fifo, "rb") as f: f.read()          # what `runc start` does: the init execs the program now
    os.unlink(fifo)
    if mode == "release-exit": select.select([pidfd], [], []); t1 = time.monotonic()
    else: t1 = ready()
elif mode.startswith("native"):
    uid = int(rest[0]); argv = [rest[1]] + json.loads("[" + rest[2] + "]")
    t0 = time.monotonic(); p = subprocess.Popen(argv, user=uid, group=uid, extra_groups=[], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, close_fds=True)
    if mode == "native-exit":
        if p.wait() != 0: sys.exit(f"{rest[1]} exited {p.returncode}")
        t1 = time.monotonic()
    else: t1 = ready(); p.kill(); p.wait()
else:                                              # started by bash before runc: it touches GO, then polls
    open(rest[0], "w").close(); ready(); print(f"{time.time():.6f}"); sys.exit()
print(int((t1 - t0) * 1e6))
PY
T() { ip netns exec "$1" python3 "$work/timer.py" "${@:2}"; }
us() { local s="${1/./}"; echo $((10#$s)); }
declare -a keyring_v=() pivot_v=() whole_v=() whole_i=() whole_p=() create_i=() own_i=() create_p=() own_p=() native_i=() native_p=()
for n in $(seq 1 "$runs"); do
  # whole runs
  netns "w$n"; b=$(bundle "v$n" '"--version"' 0 '[]' 1 "$ns"); containers+=("$id-v$n")
  t0=$EPOCHREALTIME; runc run --bundle "$b" "$id-v$n" >/dev/null 2>&1; t1=$EPOCHREALTIME; whole_v+=($(( $(us "$t1") - $(us "$t0") )))
  # runc options containerd's runc shim can set (its NoNewKeyring and NoPivotRoot options), on the same container
  t0=$EPOCHREALTIME; runc run --no-new-keyring --bundle "$b" "$id-v$n" >/dev/null 2>&1; t1=$EPOCHREALTIME; keyring_v+=($(( $(us "$t1") - $(us "$t0") )))
  t0=$EPOCHREALTIME; runc run --no-pivot --bundle "$b" "$id-v$n" >/dev/null 2>&1; t1=$EPOCHREALTIME; pivot_v+=($(( $(us "$t1") - $(us "$t0") )))
  b=$(bundle "i$n" "$init_args" 0 '["CAP_NET_ADMIN","CAP_NET_RAW"]' 0 "$ns"); containers+=("$id-i$n")
  t0=$EPOCHREALTIME; runc run --bundle "$b" "$id-i$n" >/dev/null 2>&1; t1=$EPOCHREALTIME; whole_i+=($(( $(us "$t1") - $(us "$t0") )))
  b=$(bundle "p$n" "$proxy_args" 1337 '[]' 1 "$ns"); containers+=("$id-p$n")
  rm -f "$work/go"; T "$ns" ready "$work/go" > "$work/ready" & poller=$!
  until [ -e "$work/go" ]; do :; done
  t0=$EPOCHREALTIME; runc run --bundle "$b" "$id-p$n" >/dev/null 2>&1 &
  wait "$poller"; t1=$(cat "$work/ready"); whole_p+=($(( $(us "$t1") - $(us "$t0") )))
  runc kill "$id-p$n" KILL 2>/dev/null || true; wait || true
  # split: runc create, then the program's own time from its release
  netns "s$n"; b=$(bundle "si$n" "$init_args" 0 '["CAP_NET_ADMIN","CAP_NET_RAW"]' 0 "$ns"); containers+=("$id-si$n")
  t0=$EPOCHREALTIME; runc create --bundle "$b" "$id-si$n" >/dev/null 2>&1 </dev/null; t1=$EPOCHREALTIME; create_i+=($(( $(us "$t1") - $(us "$t0") )))
  own_i+=($(T "$ns" release-exit "$id-si$n"))
  b=$(bundle "sp$n" "$proxy_args" 1337 '[]' 1 "$ns"); containers+=("$id-sp$n")
  t0=$EPOCHREALTIME; runc create --bundle "$b" "$id-sp$n" >/dev/null 2>&1 </dev/null; t1=$EPOCHREALTIME; create_p+=($(( $(us "$t1") - $(us "$t0") )))
  own_p+=($(T "$ns" release-ready "$id-sp$n")); runc kill "$id-sp$n" KILL 2>/dev/null || true
  # native: the same binary, no runtime
  netns "n$n"
  native_i+=($(T "$ns" native-exit 0 "$tree/usr/local/bin/waylay-proxy" "$init_args"))
  native_p+=($(T "$ns" native-ready 1337 "$tree/usr/local/bin/waylay-proxy" "$proxy_args"))
done
stats() { sort -n | awk '{a[NR]=$1} END {printf "%.1f | %.1f | %.1f", a[int((NR+1)/2)]/1000, a[int(NR*0.9+0.5)]/1000, a[NR]/1000}'; }
row() { local label="$1"; shift; echo "| $label | $(printf '%s\n' "$@" | stats) |"; }
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| from the image ($runs runs) | median ms | p90 ms | max ms |"; echo "|---|---:|---:|---:|"
row '`runc run` of `waylay --version` (the runtime alone)' "${whole_v[@]}"
row '… with `--no-new-keyring`' "${keyring_v[@]}"
row '… with `--no-pivot` (chroot instead of pivot_root: not for untrusted images)' "${pivot_v[@]}"
row 'init: `runc run` → capture exits' "${whole_i[@]}"
row 'init: `runc create` (runc'"'"'s share)' "${create_i[@]}"
row 'init: released → capture exits (the program'"'"'s own)' "${own_i[@]}"
row 'init: native, exec → capture exits' "${native_i[@]}"
row 'proxy: `runc run` → /healthz/ready 200' "${whole_p[@]}"
row 'proxy: `runc create` (runc'"'"'s share)' "${create_p[@]}"
row 'proxy: released → /healthz/ready 200 (the program'"'"'s own)' "${own_p[@]}"
row 'proxy: native, exec → /healthz/ready 200' "${native_p[@]}"
