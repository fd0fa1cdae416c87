using System.Runtime.CompilerServices;
using Waylay.Linux;
using Xunit;

namespace Waylay.EndToEnd;

/// <summary>The README's main command: `./waylay` builds when needed, then starts at once without rebuilding.</summary>
public sealed class LauncherTests
{
    private static readonly string Root = Path.GetFullPath(Path.Combine(Here(), "..", ".."));

    [Fact]
    public async Task Launcher_BuildsWhenNeeded_ThenRunsWithoutRebuilding()
    {
        var launcher = Path.Combine(Root, "waylay");
        var first = await Exec.RunAsync(launcher, "--help");
        Assert.True(first.Succeeded, first.Diagnostic);
        Assert.Contains("capture", first.StandardOutput);

        var second = await Exec.RunAsync(launcher, "capture", "--help");
        Assert.True(second.Succeeded, second.Diagnostic);
        Assert.DoesNotContain("building", second.StandardError);
        Assert.Contains("--envoy-port", second.StandardOutput);
    }

    [Fact]
    public async Task LauncherProxy_RunsTheNativeAotSidecar()
    {
        // Builds .build/sidecar/waylay-proxy when a source changed (./test.sh has already), then execs it.
        var result = await Exec.RunAsync(Path.Combine(Root, "waylay"), "proxy", "--help");
        Assert.True(result.Succeeded, result.Diagnostic);
        Assert.Contains("waylay-proxy proxy [command] [options]", result.StandardOutput);
        Assert.Contains("--inbound-to", result.StandardOutput);
    }

    [Fact]
    public async Task LauncherCapture_RunsTheNativeAotBuild()
    {
        // The init container's command: ./waylay capture execs .build/sidecar/waylay-proxy too.
        var result = await Exec.RunAsync(Path.Combine(Root, "waylay"), "capture", "--help");
        Assert.True(result.Succeeded, result.Diagnostic);
        Assert.Contains("waylay-proxy capture [command] [options]", result.StandardOutput);
        Assert.Contains("--istio-inbound-tproxy-mark", result.StandardOutput);
    }

    private static string Here([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
