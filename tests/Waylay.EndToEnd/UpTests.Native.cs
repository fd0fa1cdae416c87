using Waylay.Linux;
using Waylay.TestKit;
using Xunit;

namespace Waylay.EndToEnd;

public sealed partial class UpTests
{
    /// <summary>
    /// `./waylay up`'s layout (the NativeAOT waylay-proxy and waylay-control beside the CLI): the process runtime runs
    /// the control plane pod and the sidecar from those builds, and the injected pod gets ready, which its sidecar is
    /// only once its first config came from that control plane.
    /// </summary>
    [NativeBuildsFact]
    public async Task Up_FromTheImageLayout_RunsTheControlPlaneAndTheSidecarAsTheNativeBuilds()
    {
        using var layout = ImageLayout.Create(control: true);
        using var temp = new TempDirectory();
        var file = Path.Combine(temp.Path, "app.yaml");
        await File.WriteAllTextAsync(file, """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: app}
            spec:
              selector: {matchLabels: {app: app}}
              template:
                metadata: {labels: {app: app}}
                spec:
                  containers:
                  - {name: app, image: tools, command: [sleep, infinity]}
            """);
        var images = Path.Combine(temp.Path, "images.yaml");
        await File.WriteAllTextAsync(images, "tools: {command: [/bin/sh]}\n");
        var run = RunId.Value + "n";
        try
        {
            var up = await Exec.RunAsync(layout.Waylay, "up", file, "--images", images, "--run", run);
            Assert.True(up.Succeeded, up.Diagnostic);
            Assert.Contains($"run {run}: 2 pods ready", up.StandardOutput, StringComparison.Ordinal);

            var programs = new HashSet<string>(StringComparer.Ordinal);
            foreach (var ns in (await Exec.RunAsync("ip", "netns", "list")).StandardOutput.Split('\n').Where(l => l.StartsWith($"wl-{run}-", StringComparison.Ordinal)))
            {
                var inside = await Exec.RunAsync("ip", "netns", "pids", ns.Split(' ')[0]);
                foreach (var pid in inside.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                {
                    if (File.ResolveLinkTarget($"/proc/{pid}/exe", false)?.FullName is { } exe)
                    {
                        programs.Add(exe);
                    }
                }
            }

            var all = string.Join(", ", programs);
            Assert.True(programs.Contains(Path.Combine(layout.Directory, "waylay-control")), $"no waylay-control among {all}");
            Assert.True(programs.Contains(Path.Combine(layout.Directory, "waylay-proxy")), $"no waylay-proxy among {all}");
            Assert.False(programs.Contains(layout.Waylay), $"the JIT CLI runs in a pod: {all}");

            var logs = await Exec.RunAsync(layout.Waylay, "logs", "app", "--run", run, "-c", "waylay-proxy");
            Assert.True(logs.Succeeded, logs.Diagnostic);
            Assert.Contains("discovery: connected to waylay-control.waylay-system:15010", logs.StandardOutput, StringComparison.Ordinal);
        }
        finally
        {
            await Exec.RunAsync(layout.Waylay, "down", run);
        }

        Assert.DoesNotContain($"wl-{run}-", (await Exec.RunAsync("ip", "netns", "list")).StandardOutput, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine("/run/waylay", run)), $"run {run} left its state");
    }
}
