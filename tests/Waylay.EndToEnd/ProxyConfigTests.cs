using System.Runtime.CompilerServices;
using System.Text.Json;
using Waylay.TestKit;
using Xunit;

namespace Waylay.EndToEnd;

/// <summary>
/// <c>waylay proxy-config</c> and <c>proxy-status</c> on a running Bookinfo (its kustomization: the app, the gateway
/// and the DestinationRules' subsets), through the real CLI: every sidecar streams from the control plane
/// <c>waylay up</c> runs, and a VirtualService applied live shows in the sidecar's own routes. Waits are bounded
/// polls; nothing is timed.
/// </summary>
public sealed class ProxyConfigTests
{
    private static readonly string Root = Path.GetFullPath(Path.Combine(Here(), "..", ".."));
    private static readonly string Sample = Path.Combine(Root, "samples", "bookinfo");
    private const string Reviews = "reviews.default.svc.cluster.local";

    [NetnsFact]
    public async Task ProxyConfig_ShowsAVirtualServiceAppliedLive_ProxyStatusShowsEverySidecarSynced()
    {
        var run = RunId.Value + "p";
        try
        {
            var up = await WaylayCli.RunAsync("up", Sample, "--run", run);
            Assert.True(up.Succeeded, up.Diagnostic);

            // Every pod is ready, so every sidecar has had its first config: all of them SYNCED on every type.
            var status = await UntilAsync(() => Json("proxy-status", "--run", run, "-o", "json"), s => AllSynced(s), "every sidecar SYNCED");
            Assert.Equal(6, status.GetProperty("proxies").GetArrayLength()); // Bookinfo's six; not the gateway (files) nor the control plane
            var table = await WaylayCli.RunAsync("proxy-status", "--run", run);
            Assert.True(table.Succeeded, table.Diagnostic);
            Assert.Matches(@"productpage-v1-\S+\.default\s+SYNCED \(\d+\)\s+SYNCED", table.StandardOutput);

            // Before: reviews has no VirtualService, its route is the whole service; the subsets are clusters already.
            var routes = await Json("proxy-config", "productpage", "routes", "--run", run, "-o", "json");
            var reviews = ReviewsRoute(routes);
            Assert.Equal(JsonValueKind.Null, reviews.GetProperty("virtualService").ValueKind);
            Assert.Equal(JsonValueKind.Null, reviews.GetProperty("http")[0].GetProperty("route")[0].GetProperty("subset").ValueKind);
            var clusters = await Json("proxy-config", "productpage", "clusters", "--run", run, "-o", "json");
            var v1 = clusters.EnumerateArray().Single(c => c.GetProperty("name").GetString() == $"outbound|9080|v1|{Reviews}");
            Assert.Equal("v1", v1.GetProperty("subsetLabels").GetProperty("version").GetString());
            Assert.Equal(1, v1.GetProperty("healthyEndpoints").GetInt32());

            var apply = await WaylayCli.RunAsync("apply", "-f", Path.Combine(Sample, "networking", "virtual-service-all-v1.yaml"), "--run", run);
            Assert.True(apply.Succeeded, apply.Diagnostic);

            // After: the sidecar holds reviews' VirtualService, all traffic to subset v1 (istioctl's order, TYPE POD, works too).
            routes = await UntilAsync(() => Json("proxy-config", "routes", "productpage", "--run", run, "-o", "json"),
                r => ReviewsRoute(r).GetProperty("virtualService").GetString() == "reviews.default", "productpage's sidecar to hold reviews' VirtualService");
            var destination = Assert.Single(ReviewsRoute(routes).GetProperty("http").EnumerateArray()).GetProperty("route");
            Assert.Equal("v1", Assert.Single(destination.EnumerateArray()).GetProperty("subset").GetString());
            Assert.Equal($"outbound|9080|v1|{Reviews}", destination[0].GetProperty("cluster").GetString());
            var shortRoutes = await WaylayCli.RunAsync("proxy-config", "productpage", "routes", "--run", run);
            Assert.True(shortRoutes.Succeeded, shortRoutes.Diagnostic);
            Assert.Matches($@"{Reviews}:9080\s+/\*\s+{Reviews}:9080 subset v1 100%\s+retries 2 on \S+ 503\s+reviews\.default", shortRoutes.StandardOutput);

            // The endpoints of the v1 cluster: reviews-v1's pod, healthy, with its labels.
            var endpoints = await Json("proxy-config", "productpage", "endpoints", "--run", run, "-o", "json");
            var member = Assert.Single(endpoints.EnumerateArray(), e => e.GetProperty("cluster").GetString() == $"outbound|9080|v1|{Reviews}");
            Assert.Equal("HEALTHY", member.GetProperty("health").GetString());
            Assert.Equal("v1", member.GetProperty("labels").GetProperty("version").GetString());

            // The push is ACKed everywhere: the control plane's version is what every sidecar runs.
            status = await UntilAsync(() => Json("proxy-status", "--run", run, "-o", "json"),
                s => AllSynced(s) && s.GetProperty("proxies").EnumerateArray().All(p => p.GetProperty("runningVersion").GetString() == s.GetProperty("version").ToString()),
                "every sidecar to run the control plane's version after the apply");

            var all = await WaylayCli.RunAsync("proxy-config", "reviews-v2", "all", "--run", run, "-o", "yaml");
            Assert.True(all.Succeeded, all.Diagnostic);
            Assert.Contains("configs:", all.StandardOutput, StringComparison.Ordinal);
            Assert.Contains("notReady: null", all.StandardOutput, StringComparison.Ordinal);

            // Names that fit nothing: usage errors naming what there is.
            WaylayCli.AssertRefused(await WaylayCli.RunAsync("proxy-config", "nosuch", "routes", "--run", run), 2, "its pods: ");
            WaylayCli.AssertRefused(await WaylayCli.RunAsync("proxy-config", "productpage", "routes", "-n", "istio-system", "--run", run), 2, "in namespace istio-system");
            WaylayCli.AssertRefused(await WaylayCli.RunAsync("proxy-config", "productpage", "routes", "--run", "zz" + run), 2, "no such run");
            WaylayCli.AssertRefused(await WaylayCli.RunAsync("proxy-config", "productpage", "listener", "--run", run), 2, "use one of listeners|routes|clusters|endpoints|all");
            WaylayCli.AssertRefused(await WaylayCli.RunAsync("proxy-status", "--run", "zz" + run), 2, "no such run");
        }
        finally
        {
            var down = await WaylayCli.RunAsync("down", run);
            Assert.True(down.Succeeded, down.Diagnostic);
        }
    }

    private static JsonElement ReviewsRoute(JsonElement routes) =>
        routes.EnumerateArray().Single(r => r.GetProperty("name").GetString() == $"{Reviews}:9080");

    private static bool AllSynced(JsonElement status) =>
        status.GetProperty("proxies").GetArrayLength() > 0
        && status.GetProperty("proxies").EnumerateArray().All(p => p.GetProperty("types").EnumerateObject().All(t => t.Value.GetProperty("status").GetString() == "SYNCED"));

    private static async Task<JsonElement> Json(params string[] arguments)
    {
        var result = await WaylayCli.RunAsync(arguments);
        Assert.True(result.Succeeded, result.Diagnostic);
        return JsonDocument.Parse(result.StandardOutput).RootElement.Clone();
    }

    /// <summary>Polls (bounded: 60 tries, half a second apart) until <paramref name="want"/> holds.</summary>
    private static async Task<JsonElement> UntilAsync(Func<Task<JsonElement>> read, Func<JsonElement, bool> want, string what)
    {
        var last = default(JsonElement);
        for (var attempt = 0; attempt < 60; attempt++)
        {
            last = await read();
            if (want(last))
            {
                return last;
            }

            await Task.Delay(500);
        }

        Assert.Fail($"never saw {what}; last: {last}");
        return last;
    }

    private static string Here([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
