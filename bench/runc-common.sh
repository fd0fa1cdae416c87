# Sourced by bench/image.sh, bench/image-start.sh and bench/control-image.sh, which run the image's containers with
# runc: the image's reference, a run id (wl-bench-<rand>), a work directory, and removing exactly what a run made (the
# containers and namespaces the caller lists in `containers` and `namespaces`, the work directory), also when it fails.
# Also the args `waylay inject` renders for a plain pod's init container and proxy with the default values
# (src/Waylay.Inject/Template), but no --discoveryAddress: with one the proxy is (rightly) not ready until a control
# plane's first push, and none runs here.
ref=docker.io/waylay/waylay:latest
id="wl-bench-$(printf '%04x' $RANDOM)"
work="$(mktemp -d "/tmp/$id.XXXXXX")"
namespaces=(); containers=()
bench_runc_cleanup() {
  for c in "${containers[@]}"; do runc delete --force "$c" >/dev/null 2>&1 || true; done
  for n in "${namespaces[@]}"; do ip netns del "$n" 2>/dev/null || true; done
  rm -rf "$work"
}
trap bench_runc_cleanup EXIT
init_args='"capture","-p","15001","-z","15006","-u","1337","-m","REDIRECT","-i","*","-x","","-b","*","-d","15090,15021,15020"'
proxy_args='"proxy","--serviceCluster","app","--drain-duration","45s","--parent-shutdown-duration","1m0s","--connect-timeout","10s","--proxyAdminPort","15000","--outbound-port","15001","--inbound-port","15006","--health-port","15021"'
