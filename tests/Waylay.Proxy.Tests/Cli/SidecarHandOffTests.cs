using System.Globalization;
using Waylay.Linux;
using Waylay.TestKit;
using Xunit;

namespace Waylay.Proxy.Tests.Cli;

/// <summary>
/// The image layout, `waylay` and `waylay-proxy` in one directory: the injected container's `waylay proxy …` runs the
/// NativeAOT sidecar (src/Waylay.Cli/SidecarHandOff.cs), in the same process, so SIGTERM still drains it.
/// </summary>
public sealed class SidecarHandOffTests
{
    [NativeSidecarFact]
    public async Task WaylayProxy_BesideTheSidecar_BecomesIt_InTheSameProcess_AndDrainsOnSigterm()
    {
        using var layout = ImageLayout.Create();
        await using var ns = await TestNamespace.CreateAsync();

        var proxy = await TestProxy.StartExecutableAsync(ns, layout.Waylay, TestProxy.Uid);
        Assert.Equal(Path.Combine(layout.Directory, "waylay-proxy"), File.ResolveLinkTarget($"/proc/{proxy.Pid.ToString(CultureInfo.InvariantCulture)}/exe", false)?.FullName);

        await proxy.SignalAsync("TERM");
        Assert.True(await proxy.WaitForExitAsync(TimeSpan.FromSeconds(30)), $"SIGTERM did not end the handed-off proxy:{Environment.NewLine}{proxy.Output}");
        Assert.Equal(0, proxy.Process.ExitCode);
        Assert.Contains("draining (SIGTERM)", proxy.Output);
    }

    [NativeSidecarFact]
    public async Task StayVariable_KeepsTheProxyInTheCli()
    {
        using var layout = ImageLayout.Create();
        var waylay = layout.Waylay;

        var handedOff = await Exec.RunAsync(waylay, ["proxy", "--help"]);
        var stayed = await Exec.RunAsync("env", ["WAYLAY_PROXY_JIT=1", waylay, "proxy", "--help"]);

        Assert.True(handedOff.Succeeded, handedOff.Diagnostic);
        Assert.Contains("waylay-proxy proxy [command] [options]", handedOff.StandardOutput);
        Assert.True(stayed.Succeeded, stayed.Diagnostic);
        Assert.Contains("waylay proxy [command] [options]", stayed.StandardOutput);
    }
}
