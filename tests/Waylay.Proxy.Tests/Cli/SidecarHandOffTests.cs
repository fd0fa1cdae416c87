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
        var directory = ImageLayout();
        await using var ns = await TestNamespace.CreateAsync();

        var proxy = await TestProxy.StartExecutableAsync(ns, Path.Combine(directory, "waylay"), TestProxy.Uid);
        Assert.Equal(Path.Combine(directory, "waylay-proxy"), File.ResolveLinkTarget($"/proc/{proxy.Pid.ToString(CultureInfo.InvariantCulture)}/exe", false)?.FullName);

        await proxy.SignalAsync("TERM");
        Assert.True(await proxy.WaitForExitAsync(TimeSpan.FromSeconds(30)), $"SIGTERM did not end the handed-off proxy:{Environment.NewLine}{proxy.Output}");
        Assert.Equal(0, proxy.Process.ExitCode);
        Assert.Contains("draining (SIGTERM)", proxy.Output);
    }

    [NativeSidecarFact]
    public async Task StayVariable_KeepsTheProxyInTheCli()
    {
        var waylay = Path.Combine(ImageLayout(), "waylay");

        var handedOff = await Exec.RunAsync(waylay, ["proxy", "--help"]);
        var stayed = await Exec.RunAsync("env", ["WAYLAY_PROXY_JIT=1", waylay, "proxy", "--help"]);

        Assert.True(handedOff.Succeeded, handedOff.Diagnostic);
        Assert.Contains("waylay-proxy proxy [command] [options]", handedOff.StandardOutput);
        Assert.True(stayed.Succeeded, stayed.Diagnostic);
        Assert.Contains("waylay proxy [command] [options]", stayed.StandardOutput);
    }

    /// <summary>The JIT CLI (its apphost, assemblies and runtimeconfig) with the AOT sidecar beside it.</summary>
    private static string ImageLayout()
    {
        var directory = $"/tmp/wl-{RunId.Value}-image";
        if (!File.Exists(Path.Combine(directory, "waylay-proxy")))
        {
            Directory.CreateDirectory(directory);
            foreach (var file in Directory.EnumerateFiles(AppContext.BaseDirectory))
            {
                var name = Path.GetFileName(file);
                if (name == "waylay" || name.EndsWith(".dll", StringComparison.Ordinal) || name.StartsWith("waylay.", StringComparison.Ordinal))
                {
                    File.Copy(file, Path.Combine(directory, name), overwrite: true);
                }
            }

            File.Copy(TestProxy.NativeSidecarPath!, Path.Combine(directory, "waylay-proxy"), overwrite: true);
            foreach (var file in Directory.EnumerateFiles(directory))
            {
                File.SetUnixFileMode(file, (UnixFileMode)0b111_101_101);
            }

            File.SetUnixFileMode(directory, (UnixFileMode)0b111_101_101);
            AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(directory, recursive: true);
        }

        return directory;
    }
}
