using Waylay.Linux;
using Waylay.TestKit;
using Xunit;

namespace Waylay.Capture.Tests.Cli;

/// <summary>
/// The image layout: the init container's `waylay capture …` runs the NativeAOT build beside the CLI
/// (src/Waylay.Cli/SidecarHandOff.cs), which writes the same rules; WAYLAY_PROXY_JIT=1 keeps it in the CLI.
/// </summary>
public sealed class CaptureHandOffTests
{
    [NativeSidecarFact]
    public async Task WaylayCapture_BesideTheAotBuild_BecomesIt_AndWritesTheSameRules()
    {
        using var layout = ImageLayout.Create();
        var waylay = layout.Waylay;
        var handedOff = await Exec.RunAsync(waylay, ["capture", "--help"]);
        var stayed = await Exec.RunAsync("env", ["WAYLAY_PROXY_JIT=1", waylay, "capture", "--help"]);
        Assert.Contains("waylay-proxy capture [command] [options]", handedOff.StandardOutput);
        Assert.Contains("waylay capture [command] [options]", stayed.StandardOutput);

        string[] seed = ["capture", "-p", "15001", "-u", "1337", "-m", "REDIRECT", "-i", "*", "-x", "", "-b", "9080,", "-d", ""];
        await using var aot = await TestNamespace.CreateAsync();
        await using var jit = await TestNamespace.CreateAsync();
        var viaAot = await Exec.RunAsync(waylay, [.. seed, "--netns", aot.Name, "--verify"]);
        var viaJit = await Exec.RunAsync("env", ["WAYLAY_PROXY_JIT=1", waylay, .. seed, "--netns", jit.Name, "--verify"]);
        Assert.True(viaAot.Succeeded, viaAot.Diagnostic);
        Assert.True(viaJit.Succeeded, viaJit.Diagnostic);
        Assert.Equal(viaJit.StandardOutput, viaAot.StandardOutput);
        Assert.Equal(Rules((await jit.RunAsync("iptables-save")).StandardOutput), Rules((await aot.RunAsync("iptables-save")).StandardOutput));
        Assert.Contains("-A ISTIO_OUTPUT -j ISTIO_REDIRECT", (await aot.RunAsync("iptables-save")).StandardOutput);
    }

    private static string Rules(string save) => string.Join('\n', save.Split('\n').Where(l => !l.StartsWith('#')));
}
