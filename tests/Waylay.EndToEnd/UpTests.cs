using System.Net.Http;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Waylay.Linux;
using Waylay.TestKit;
using Xunit;

namespace Waylay.EndToEnd;

/// <summary>
/// The README's main job through the real CLI: `waylay up` Bookinfo's manifests, browse the productpage through the
/// forwarder, `waylay ps`, `waylay down`, nothing left. Waits are generous and bounded; nothing is timed.
/// </summary>
public sealed partial class UpTests
{
    private static readonly string Root = Path.GetFullPath(Path.Combine(Here(), "..", ".."));
    private static readonly string Bookinfo = Path.Combine(Root, "samples", "bookinfo", "platform", "kube", "bookinfo.yaml");

    [NetnsTheory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task UpBookinfo_ServesTheProductpage_FromSeveralReviewsVersions_PsListsSixReadyPods_DownLeavesNothing(int nodes)
    {
        var run = RunId.Value + nodes.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var state = Path.Combine("/run/waylay", run);
        var pids = new List<int>();
        try
        {
            var up = await WaylayCli.RunAsync("up", Bookinfo, "--run", $"wl-{run}", "--nodes", nodes.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.True(up.Succeeded, up.Diagnostic);
            var url = UrlPattern().Match(up.StandardOutput);
            Assert.True(url.Success, up.StandardOutput);

            // Twenty pages: each the real page, and kube-proxy spreads productpage's connections to reviews over the versions.
            var versions = new HashSet<string>(StringComparer.Ordinal);
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            for (var i = 0; i < 20; i++)
            {
                var page = await GetPageAsync(http, url.Value);
                Assert.Contains("The Comedy of Errors", page, StringComparison.Ordinal);
                Assert.Contains("Reviews served by", page, StringComparison.Ordinal);
                var served = ReviewsPattern().Match(page);
                Assert.True(served.Success, page);
                versions.Add(served.Groups[1].Value);
            }

            Assert.True(versions.Count > 1, $"only {string.Join(", ", versions)} served 20 pages");

            var ps = await WaylayCli.RunAsync("ps", run);
            Assert.True(ps.Succeeded, ps.Diagnostic);
            var rows = ps.StandardOutput.Split('\n').Where(l => l.StartsWith("default ", StringComparison.Ordinal)).ToList();
            Assert.Equal(6, rows.Count);
            Assert.All(rows, r => Assert.Matches(@"\strue\s+Ready\s+10\.244\.\d+\.\d+\s+node\d", r));
            Assert.Equal(Math.Min(nodes, 6), rows.Select(r => r.Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1]).Distinct().Count());

            foreach (var ns in (await Exec.RunAsync("ip", "netns", "list")).StandardOutput.Split('\n').Where(l => l.StartsWith($"wl-{run}-", StringComparison.Ordinal)))
            {
                var inside = await Exec.RunAsync("ip", "netns", "pids", ns.Split(' ')[0]);
                pids.AddRange(inside.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse));
            }

            var supervisor = SupervisorPattern().Match(await File.ReadAllTextAsync(Path.Combine(state, "up", "supervisor.json")));
            pids.Add(int.Parse(supervisor.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
            Assert.True(pids.Count > 6, string.Join(", ", pids));

            var down = await WaylayCli.RunAsync("down", $"wl-{run}");
            Assert.True(down.Succeeded, down.Diagnostic);
            Assert.Contains($"run {run}: removed", down.StandardOutput, StringComparison.Ordinal);
        }
        finally
        {
            await WaylayCli.RunAsync("down", run);
        }

        Assert.DoesNotContain($"wl-{run}-", (await Exec.RunAsync("ip", "netns", "list")).StandardOutput, StringComparison.Ordinal);
        Assert.False(Directory.Exists(state));
        Assert.All(pids, pid => Assert.False(Directory.Exists($"/proc/{pid}") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z", StringComparison.Ordinal), $"process {pid} of the run is still alive"));
        var again = await WaylayCli.RunAsync("down", run);
        Assert.True(again.Succeeded, again.Diagnostic);
        Assert.Contains("nothing to remove", again.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Up_UnknownImage_IsAUsageError_WithTheImageTablesMessage_AndMakesNothing()
    {
        using var temp = new TempDirectory();
        var directory = temp.Path;
        var file = Path.Combine(directory, "pod.yaml");
        await File.WriteAllTextAsync(file, "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers: [{name: web, image: nginx:1.27}]\n");
        var run = RunId.Value + "x";

        var result = await WaylayCli.RunAsync("up", file, "--run", run);

        WaylayCli.AssertRefused(result, 2, "image 'nginx:1.27' has no entry in the image table");
        Assert.False(Directory.Exists(Path.Combine("/run/waylay", run)));
    }

    [NetnsFact]
    public async Task Up_PodThatCannotStart_FailsWithItsLogTail_AndIsTornDown()
    {
        using var temp = new TempDirectory();
        var directory = temp.Path;
        var file = Path.Combine(directory, "broken.yaml");
        await File.WriteAllTextAsync(file, """
            apiVersion: v1
            kind: Pod
            metadata: {name: broken, annotations: {sidecar.istio.io/inject: "false"}}
            spec:
              initContainers:
              - {name: setup, image: tools, command: [sh, -c, "echo cannot reach the database >&2; exit 3"]}
              containers:
              - {name: app, image: tools, command: [sleep, infinity]}
            """);
        var images = Path.Combine(directory, "images.yaml");
        await File.WriteAllTextAsync(images, "tools: {command: [/bin/sh]}\n");
        var run = RunId.Value + "f";
        try
        {
            var result = await WaylayCli.RunAsync("up", file, "--images", images, "--run", run);

            Assert.Equal(1, result.ExitCode);
            Assert.Contains("init container setup exited with 3", result.StandardError, StringComparison.Ordinal);
            Assert.Contains("cannot reach the database", result.StandardError, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", result.StandardError, StringComparison.Ordinal);
            Assert.False(Directory.Exists(Path.Combine("/run/waylay", run)));
            Assert.DoesNotContain($"wl-{run}-", (await Exec.RunAsync("ip", "netns", "list")).StandardOutput, StringComparison.Ordinal);
        }
        finally
        {
            await WaylayCli.RunAsync("down", run);
        }
    }

    [Fact]
    public async Task Ps_UnknownRun_IsAUsageError_DownOfIt_SaysNothingWasThere()
    {
        var run = RunId.Value + "n";

        WaylayCli.AssertRefused(await WaylayCli.RunAsync("ps", run), 2, $"no run {run}");
        var down = await WaylayCli.RunAsync("down", run);
        Assert.True(down.Succeeded, down.Diagnostic);
        Assert.Contains("nothing to remove", down.StandardOutput, StringComparison.Ordinal);
        WaylayCli.AssertRefused(await WaylayCli.RunAsync("down", "Bad_Id"), 2, "run id 'Bad_Id'");
    }

    [Fact]
    public async Task Up_NoManifests_NamesThePath()
    {
        using var temp = new TempDirectory();
        var directory = temp.Path;

        var result = await WaylayCli.RunAsync("up", directory);

        WaylayCli.AssertRefused(result, 2, $"{directory}: no Kubernetes manifests found");
    }

    /// <summary>The page, once productpage answers 200 (bounded: a loaded machine may take a while to warm up).</summary>
    private static async Task<string> GetPageAsync(HttpClient http, string url)
    {
        var last = "";
        for (var attempt = 0; attempt < 60; attempt++)
        {
            try
            {
                using var response = await http.GetAsync(url);
                var body = await response.Content.ReadAsStringAsync();
                if (response.IsSuccessStatusCode && body.Contains("Reviews served by", StringComparison.Ordinal))
                {
                    return body;
                }

                last = $"{(int)response.StatusCode}: {body}";
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                last = e.Message;
            }

            await Task.Delay(1000);
        }

        Assert.Fail($"{url} never served the page; last: {last}");
        return "";
    }

    [GeneratedRegex(@"http://127\.0\.0\.1:\d+/productpage")]
    private static partial Regex UrlPattern();

    [GeneratedRegex(@"<u>reviews-(v\d)-")]
    private static partial Regex ReviewsPattern();

    [GeneratedRegex(@"""pid"":\s*(\d+)")]
    private static partial Regex SupervisorPattern();

    private static string Here([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
