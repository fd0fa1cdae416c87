#!/usr/bin/env bash
# Builds the two programs Waylay runs, each only when a source is newer than its last build (Release):
#   .build/cli/waylay             the CLI (JIT): capture, inject, webhook, explain, …
#   .build/sidecar/waylay-proxy   the sidecar and init container (NativeAOT, src/Waylay.Sidecar): `waylay-proxy proxy …`
#                                 and `waylay-proxy capture …`, the same arguments as `waylay proxy …`/`capture …`;
#                                 one self-contained file, no .NET runtime needed.
#   .build/control/waylay-control the control plane and the webhook (NativeAOT, src/Waylay.ControlHost):
#                                 `waylay-control control …` and `waylay-control webhook …`; the image ships it.
# Sourced by ./waylay and ./test.sh. Progress goes to stderr; stdout stays the command's own.

waylay_sources_newer_than() { # stamp
  [ -f "$1" ] || return 0
  # obj/ and bin/ are build output (one build's obj/*.json must not make the other build look stale).
  [ -n "$(find "$WAYLAY_ROOT/src" "$WAYLAY_ROOT/samples" "$WAYLAY_ROOT/Directory.Build.props" "$WAYLAY_ROOT/Directory.Packages.props" "$WAYLAY_ROOT/global.json" \
           \( -name obj -o -name bin \) -prune -o \
           \( -name '*.cs' -o -name '*.csproj' -o -name '*.props' -o -name '*.json' -o -name '*.proto' -o -name '*.yaml' -o -name '*.txt' \) \
           -newer "$1" -print -quit 2>/dev/null)" ]
}

waylay_build_cli() {
  local out="$WAYLAY_ROOT/.build/cli"
  if [ -x "$out/waylay" ] && ! waylay_sources_newer_than "$out/.stamp"; then return 0; fi
  waylay_ensure_deps
  echo "waylay: building (Release)…" >&2
  dotnet publish "$WAYLAY_ROOT/src/Waylay.Cli/Waylay.Cli.csproj" -c Release -o "$out" --nologo -v q >&2
  touch "$out/.stamp"
}

# NativeAOT needs a C toolchain to link: clang, lld and zlib's headers (apt: clang lld zlib1g-dev).
waylay_publish_aot() { # project (under src/) output (under .build/) binary what
  local out="$WAYLAY_ROOT/.build/$2"
  if [ -x "$out/$3" ] && ! waylay_sources_newer_than "$out/.stamp"; then return 0; fi
  waylay_ensure_deps clang:clang ld.lld:lld || return 1
  waylay_ensure_zlib_headers || return 1
  echo "waylay: building $4 (Release, NativeAOT)…" >&2
  dotnet publish "$WAYLAY_ROOT/src/$1/$1.csproj" -c Release -o "$out" --nologo -v q >&2 || return 1
  touch "$out/.stamp"
}

waylay_build_sidecar() { waylay_publish_aot Waylay.Sidecar sidecar waylay-proxy "the sidecar"; }

# The control plane and webhook the image ships (`waylay image build`, the image tests): NativeAOT like the sidecar.
waylay_build_control() { waylay_publish_aot Waylay.ControlHost control waylay-control "the control plane"; }
