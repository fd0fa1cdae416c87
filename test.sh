#!/usr/bin/env bash
# Installs what is missing, builds everything, publishes the NativeAOT sidecar (the proxy the tests then run, as
# users do), runs every test project, and ends with one line: "N passed, N failed[, N skipped]".
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"
# shellcheck source=scripts/ensure-deps.sh
source scripts/ensure-deps.sh
# shellcheck source=scripts/build.sh
source scripts/build.sh
export WAYLAY_ROOT="$root" DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
waylay_ensure_deps || { echo "0 passed, 1 failed"; exit 1; }

if ! dotnet build Waylay.slnx -c Release --nologo -v q; then
  echo "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

# The shipped sidecar and init container are the NativeAOT build (./waylay proxy and ./waylay capture run it): the
# proxy and capture tests start that very binary (tests/Waylay.TestKit/TestProxy.cs and WaylayCli.cs read
# WAYLAY_PROXY_BINARY; without it they run the CLI's JIT build).
if ! waylay_build_sidecar; then
  echo "the NativeAOT sidecar (src/Waylay.Sidecar) did not publish"
  echo "0 passed, 1 failed"
  exit 1
fi
export WAYLAY_PROXY_BINARY="$root/.build/sidecar/waylay-proxy"
# The image tests (tests/Waylay.Node.Tests/Images/Build) ship and run the NativeAOT control plane and webhook too.
if ! waylay_build_control; then
  echo "the NativeAOT control plane (src/Waylay.ControlHost) did not publish"
  echo "0 passed, 1 failed"
  exit 1
fi
export WAYLAY_CONTROL_BINARY="$root/.build/control/waylay-control"

# The many-connection tests hold a thousand connections at once (two descriptors each in the proxy and in the test
# host): a shell whose open-file limit is lower (1024 is common) would fail them for want of descriptors, not of code.
# Root may raise its hard limit; the test hosts and the proxies they start inherit it.
if [ "$(ulimit -Hn)" != unlimited ] && [ "$(ulimit -Hn)" -lt 65536 ]; then
  ulimit -Hn 65536 2>/dev/null || echo "the open-file limit stays at $(ulimit -Hn): the many-connection tests may fail"
fi
ulimit -Sn "$(ulimit -Hn)" 2>/dev/null || true

results="$root/TestResults"
rm -rf "$results"
mkdir -p "$results"
# A hung test must fail the run, not eat CI's 90 minutes: vstest kills a test host silent for 10 minutes and names it.
dotnet test Waylay.slnx -c Release --no-build --nologo --blame-hang-timeout 10m \
  --logger "trx" --logger "console;verbosity=normal" --results-directory "$results" "$@"
status=$?

passed=0; failed=0; skipped=0; files=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  files=$((files + 1))
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  get() { local v; v=$(echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'); echo "${v:-0}"; }
  passed=$((passed + $(get passed)))
  failed=$((failed + $(get failed) + $(get error) + $(get timeout) + $(get aborted)))
  skipped=$((skipped + $(get notExecuted)))
done

# A test host that crashed leaves no counters: never report that as green.
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  echo "dotnet test exited with $status without a failed test: a test host crashed or a project did not run"
  failed=$((failed + 1))
fi
if [ "$files" -eq 0 ]; then
  failed=$((failed + 1))
fi

# CI shows only the end of the output: name each failed test there, with the first lines of its message.
if [ "$failed" -gt 0 ] && [ "$files" -gt 0 ]; then
  perl -0777 -ne '
    my %xml = (lt => "<", gt => ">", amp => "&", quot => "\"", apos => "\x27");
    while (/<UnitTestResult [^>]*?testName="([^"]*)"[^>]*?outcome="(?:Failed|Error|Timeout|Aborted)"[^>]*>(.*?)<\/UnitTestResult>/gs) {
      my ($name, $body) = ($1, $2);
      my ($message) = $body =~ /<Message>(.*?)<\/Message>/s;
      s/&(lt|gt|amp|quot|apos);/$xml{$1}/g for $name, $message;
      my @lines = grep { /\S/ } split /\n/, ($message // "no message");
      print "failed: $name\n", map { "    $_\n" } @lines[0 .. ($#lines < 5 ? $#lines : 5)];
    }' "$results"/*.trx
fi

line="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && line="$line, $skipped skipped"
echo "$line"
[ "$failed" -eq 0 ]
