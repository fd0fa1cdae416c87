using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Waylay.Linux;
using Waylay.TestKit;
using Xunit;

namespace Waylay.EndToEnd;

/// <summary>
/// `waylay exec` and `waylay logs` on a running mesh, through the real CLI: a small one (Bookinfo's details behind its
/// Service, and a shell pod), so the machine is not loaded with all of Bookinfo. Waits are bounded, nothing is timed.
/// </summary>
public sealed partial class PodCommandsTests
{
    private const string Manifests = """
        apiVersion: v1
        kind: Service
        metadata: {name: details, labels: {app: details}}
        spec:
          ports: [{port: 9080, name: http}]
          selector: {app: details}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: details-v1}
        spec:
          replicas: 1
          selector: {matchLabels: {app: details, version: v1}}
          template:
            metadata: {labels: {app: details, version: v1}}
            spec:
              containers:
              - name: details
                image: docker.io/istio/examples-bookinfo-details-v1:1.20.3
                ports: [{containerPort: 9080}]
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: shell}
        spec:
          replicas: 1
          selector: {matchLabels: {app: client}}
          template:
            metadata: {labels: {app: client}}
            spec:
              containers:
              - name: shell
                image: tools
                command: [/bin/sh, -c, "echo shell started; i=0; while true; do i=$((i+1)); echo tick $i; sleep 1; done"]
                securityContext: {runAsUser: 1001, runAsGroup: 1002}
        """;

    [NetnsFact]
    public async Task ExecAndLogs_InAppAndSidecar_AsTheirUids_ReachDetails_LogsFollowARestart_TrafficFlowsAfterAKill()
    {
        using var temp = new TempDirectory();
        var (file, images) = await WriteMeshAsync(temp);
        var run = RunId.Value + "e";
        var state = Path.Combine("/run/waylay", run);
        Process? follower = null;
        try
        {
            var up = await WaylayCli.RunAsync("up", file, "--images", images, "--run", run);
            Assert.True(up.Succeeded, up.Diagnostic);

            // The app container by its app label, as its uid/gid, with the pod's resolv.conf: `details` resolves and answers.
            var id = await WaylayCli.RunAsync("exec", "client", "--run", run, "--", "id");
            Assert.True(id.Succeeded, id.Diagnostic);
            Assert.StartsWith("uid=1001 gid=1002 ", id.StandardOutput, StringComparison.Ordinal);
            await AssertReachesDetailsAsync(run, "shell");

            // The sidecar (pod named by a prefix) as 1337, the proxy's uid, which capture lets out uncaptured.
            var proxyId = await WaylayCli.RunAsync("exec", "details-v", "--run", run, "-c", "waylay-proxy", "--", "id", "-u");
            Assert.True(proxyId.Succeeded, proxyId.Diagnostic);
            Assert.Equal("1337", proxyId.StandardOutput.Trim());
            await AssertReachesDetailsAsync(run, "details", "-c", "waylay-proxy");

            // The command's exit code passes through; a pod or container that is not there is a usage error naming what is.
            var exit = await WaylayCli.RunAsync("exec", "shell", "--run", run, "--", "sh", "-c", "exit 7");
            Assert.Equal(7, exit.ExitCode);
            WaylayCli.AssertRefused(await WaylayCli.RunAsync("exec", "nosuch", "--run", run, "--", "true"), 2, "pod 'nosuch': no pod of run");
            WaylayCli.AssertRefused(await WaylayCli.RunAsync("exec", "details", "--run", run, "-c", "waylay-init", "--", "true"), 2, "an init container of pod details-v1-");

            var logs = await WaylayCli.RunAsync("logs", "shell", "--run", run);
            Assert.True(logs.Succeeded, logs.Diagnostic);
            Assert.StartsWith("shell started\ntick 1\n", logs.StandardOutput, StringComparison.Ordinal);
            var proxyLogs = await WaylayCli.RunAsync("logs", "details", "--run", run, "-c", "waylay-proxy");
            Assert.Contains("waylay proxy ready", proxyLogs.StandardOutput, StringComparison.Ordinal);

            // logs -f follows the shell through a kill and its restart (the same file, appended by the next run).
            var output = new StringBuilder();
            follower = StartFollower(run, output);
            await WaitForAsync(() => Count(output, "tick ") > 0, output);
            var shellPod = Directory.GetDirectories(Path.Combine(state, "pods"), "shell-*").Single();
            Kill(Path.Combine(shellPod, "containers", "shell.json"));
            await WaitForAsync(() => Count(output, "shell started") == 2, output);

            // The details process killed: restarted, and its Service answers again.
            var detailsPod = Directory.GetDirectories(Path.Combine(state, "pods"), "details-*").Single();
            Kill(Path.Combine(detailsPod, "containers", "details.json"));
            await AssertReachesDetailsAsync(run, "shell");

            var down = await WaylayCli.RunAsync("down", run);
            Assert.True(down.Succeeded, down.Diagnostic);
            Assert.True(follower.WaitForExit(TimeSpan.FromSeconds(30)), "logs -f did not end when the run was removed");
        }
        finally
        {
            if (follower is { HasExited: false })
            {
                follower.Kill();
            }

            follower?.Dispose();
            await WaylayCli.RunAsync("down", run);
        }

        Assert.False(Directory.Exists(state));
        Assert.DoesNotContain($"wl-{run}-", (await Exec.RunAsync("ip", "netns", "list")).StandardOutput, StringComparison.Ordinal);
    }

    [NetnsFact]
    public async Task ApplyAndDelete_ScaleADeployment_AddAServiceThatResolvesAndRoutes_ReplaceAChangedTemplate_ThenRemoveThem()
    {
        using var temp = new TempDirectory();
        var (file, images) = await WriteMeshAsync(temp);
        var change = Path.Combine(temp.Path, "change");
        Directory.CreateDirectory(change);
        var deployment = Manifests.Split("---")[1].Replace("replicas: 1", "replicas: 2", StringComparison.Ordinal);
        await File.WriteAllTextAsync(Path.Combine(change, "details.yaml"), deployment);
        const string Books = "apiVersion: v1\nkind: Service\nmetadata: {name: books}\nspec:\n  ports: [{port: 8000, targetPort: 9080, name: http}]\n  selector: {app: details}\n";
        await File.WriteAllTextAsync(Path.Combine(change, "books.yaml"), Books);
        var run = RunId.Value + "a";
        try
        {
            var up = await WaylayCli.RunAsync("up", file, "--images", images, "--run", run);
            Assert.True(up.Succeeded, up.Diagnostic);

            // The same manifests again: nothing changes (the pods keep their pod-template-hash names).
            var same = await WaylayCli.RunAsync("apply", "-f", file, "--run", run);
            Assert.True(same.Succeeded, same.Diagnostic);
            Assert.Contains("deployment/details-v1 unchanged", same.StandardOutput, StringComparison.Ordinal);
            Assert.DoesNotContain("pod/", same.StandardOutput, StringComparison.Ordinal);

            var apply = await WaylayCli.RunAsync("apply", "-f", change, "--run", run);
            Assert.True(apply.Succeeded, apply.Diagnostic);
            Assert.Contains("deployment/details-v1 configured", apply.StandardOutput, StringComparison.Ordinal);
            Assert.Contains("service/books created", apply.StandardOutput, StringComparison.Ordinal);
            Assert.Equal(2, (await PodNamesAsync(run)).Count(n => n.StartsWith("details-v1-", StringComparison.Ordinal)));
            await AssertReachesAsync(run, "http://books:8000/details/0");
            await AssertReachesAsync(run, "http://books.default.svc.cluster.local:8000/details/0");

            var delete = await WaylayCli.RunAsync("delete", "-f", Path.Combine(change, "books.yaml"), "--run", run);
            Assert.True(delete.Succeeded, delete.Diagnostic);
            Assert.Contains("service/books deleted", delete.StandardOutput, StringComparison.Ordinal);
            var gone = await WaylayCli.RunAsync("exec", "shell", "--run", run, "--", "curl", "-s", "-m", "5", "http://books:8000/details/0");
            Assert.Equal(6, gone.ExitCode); // curl: could not resolve host
            WaylayCli.AssertRefused(await WaylayCli.RunAsync("delete", "-f", Path.Combine(change, "books.yaml"), "--run", run), 2, "not found in the run: service/books");

            var scaledBack = await WaylayCli.RunAsync("apply", "-f", file, "--run", run);
            Assert.True(scaledBack.Succeeded, scaledBack.Diagnostic);
            Assert.Single(await PodNamesAsync(run), n => n.StartsWith("details-v1-", StringComparison.Ordinal));
            await AssertReachesDetailsAsync(run, "shell");

            // A changed pod template: a new pod-template-hash, so the old pod is replaced by one running the new spec.
            var before = (await PodNamesAsync(run)).Single(n => n.StartsWith("shell-", StringComparison.Ordinal));
            var template = Path.Combine(change, "shell.yaml");
            await File.WriteAllTextAsync(template, Manifests.Split("---")[2].Replace("echo shell started", "echo shell v2 started", StringComparison.Ordinal));
            var replace = await WaylayCli.RunAsync("apply", "-f", template, "--run", run);
            Assert.True(replace.Succeeded, replace.Diagnostic);
            Assert.Contains("deployment/shell configured", replace.StandardOutput, StringComparison.Ordinal);
            Assert.Contains($"pod/{before} deleted", replace.StandardOutput, StringComparison.Ordinal);
            var after = (await PodNamesAsync(run)).Single(n => n.StartsWith("shell-", StringComparison.Ordinal));
            Assert.NotEqual(before, after);
            Assert.Contains("shell v2 started", (await WaylayCli.RunAsync("logs", after, "--run", run)).StandardOutput, StringComparison.Ordinal);
            await AssertReachesDetailsAsync(run, "shell");

            var deleteAll = await WaylayCli.RunAsync("delete", "-f", file, "--run", run);
            Assert.True(deleteAll.Succeeded, deleteAll.Diagnostic);
            Assert.Empty(await PodNamesAsync(run));
            Assert.DoesNotContain(Directory.GetDirectories(Path.Combine("/run/waylay", run, "pods")), d => !Path.GetFileName(d).StartsWith("kube-dns", StringComparison.Ordinal));
        }
        finally
        {
            await WaylayCli.RunAsync("down", run);
        }

        Assert.DoesNotContain($"wl-{run}-", (await Exec.RunAsync("ip", "netns", "list")).StandardOutput, StringComparison.Ordinal);
    }

    /// <summary>The small mesh's manifests and the image table that maps its `tools` image to /bin/sh.</summary>
    private static async Task<(string File, string Images)> WriteMeshAsync(TempDirectory temp)
    {
        var file = Path.Combine(temp.Path, "mesh.yaml");
        await File.WriteAllTextAsync(file, Manifests);
        var images = Path.Combine(temp.Path, "images.yaml");
        await File.WriteAllTextAsync(images, "tools: {command: [/bin/sh]}\n");
        return (file, images);
    }

    private static async Task<List<string>> PodNamesAsync(string run)
    {
        var ps = await WaylayCli.RunAsync("ps", run);
        Assert.True(ps.Succeeded, ps.Diagnostic);
        return [.. ps.StandardOutput.Split('\n').Where(l => l.StartsWith("default ", StringComparison.Ordinal)).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1])];
    }

    private static Task AssertReachesDetailsAsync(string run, string pod, params string[] container) =>
        AssertReachesAsync(run, "http://details:9080/details/0", pod, container);

    /// <summary>curl from inside the pod to the details Service by its short name (bounded retries: a pod restarting).</summary>
    private static async Task AssertReachesAsync(string run, string url, string pod = "shell", params string[] container)
    {
        ExecResult last = new(-1, "", "");
        for (var attempt = 0; attempt < 60; attempt++)
        {
            last = await WaylayCli.RunAsync(["exec", pod, "--run", run, .. container, "--", "curl", "-s", "-m", "5", url]);
            if (last.Succeeded && last.StandardOutput.Contains("William Shakespeare", StringComparison.Ordinal))
            {
                return;
            }

            await Task.Delay(1000);
        }

        Assert.Fail($"exec {pod} {string.Join(' ', container)} -- curl {url} never answered: {last.ExitCode} {last.StandardOutput} {last.StandardError}");
    }

    private static Process StartFollower(string run, StringBuilder output)
    {
        var start = new ProcessStartInfo(WaylayCli.Path) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in (string[])["logs", "-f", "shell", "--run", run])
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static int Count(StringBuilder output, string text)
    {
        lock (output)
        {
            return Regex.Matches(output.ToString(), Regex.Escape(text)).Count;
        }
    }

    /// <summary>Bounded: a restart waits the kubelet's first back-off (10 s).</summary>
    private static async Task WaitForAsync(Func<bool> condition, StringBuilder output)
    {
        for (var i = 0; i < 240 && !condition(); i++)
        {
            await Task.Delay(250);
        }

        lock (output)
        {
            Assert.True(condition(), $"logs -f printed:\n{output}");
        }
    }

    /// <summary>SIGKILL to the container's recorded process, as a crash would end it.</summary>
    private static void Kill(string containerRecord)
    {
        var pid = int.Parse(PidPattern().Match(File.ReadAllText(containerRecord)).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(0, Signal.Kill(pid, Signal.Sigkill));
    }

    [GeneratedRegex(@"""pid"":\s*(\d+)")]
    private static partial Regex PidPattern();
}
