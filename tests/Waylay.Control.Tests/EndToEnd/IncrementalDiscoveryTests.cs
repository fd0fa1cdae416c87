using System.Text.Json;
using Waylay.Discovery.V1;
using Waylay.TestKit;

namespace Waylay.Control.Tests.EndToEnd;

/// <summary>
/// Incremental pushes between the real control plane and the real sidecar: what goes on the wire for one service's
/// change (the control plane's /debug/syncz records every stream's last response), a removed service disappearing from
/// the proxy, and a reconnecting proxy getting the whole set again.
/// </summary>
public sealed class IncrementalDiscoveryTests
{
    [NetnsFact]
    public async Task OneServicesEndpointChange_SendsOnlyThatService_AndARemovedServiceIsRemovedOnTheProxy()
    {
        await using var lab = await DiscoveryLab.StartAsync("v1");
        lab.Control.WriteManifest("ratings.yaml", DiscoveryLab.Service("ratings", "10.96.0.11", app: "ratings"));
        await lab.RegisterAsync("ratings-v1", "10.244.1.21", "v1", PodEvent.Types.Phase.Ready, app: "ratings");
        await Poll.UntilAsync(async () => (await ClusterAsync(lab, "ratings.default")) is { } ratings && ratings.GetProperty("endpoints").GetArrayLength() == 1,
            "the proxy to hold ratings and its endpoint", async () => await ClustersTextAsync(lab));
        await lab.UntilConfiguredAsync();
        var pushes = await MetricAsync(lab, "waylay_control_push_resources_total", "endpoints");

        // One reviews pod leaves: only reviews' endpoints travel, not ratings'.
        await lab.RegisterAsync("reviews-v3", "10.244.1.13", "v3", PodEvent.Types.Phase.Stopped);
        await Poll.UntilAsync(async () => !(await ClustersTextAsync(lab)).Contains("10.244.1.13", StringComparison.Ordinal),
            "the stopped reviews pod to leave the proxy's endpoints", async () => await ClustersTextAsync(lab));
        await lab.UntilConfiguredAsync();
        var endpoints = await LastSentAsync(lab, "endpoints");
        Assert.True(endpoints.GetProperty("incremental").GetBoolean(), endpoints.ToString());
        Assert.Equal(1, endpoints.GetProperty("resources").GetInt32());
        Assert.Equal(0, endpoints.GetProperty("removed").GetInt32());
        Assert.Equal(pushes + 1, await MetricAsync(lab, "waylay_control_push_resources_total", "endpoints"));
        Assert.Equal(1, (await ClusterAsync(lab, "ratings.default"))!.Value.GetProperty("endpoints").GetArrayLength());

        // The ratings Service goes: its endpoints are named as removed, and the proxy drops them.
        lab.Control.WriteManifest("ratings.yaml", "");
        await Poll.UntilAsync(async () => await ClusterAsync(lab, "ratings.default") is null, "the proxy to drop ratings", async () => await ClustersTextAsync(lab));
        await lab.UntilConfiguredAsync();
        endpoints = await LastSentAsync(lab, "endpoints");
        Assert.True(endpoints.GetProperty("incremental").GetBoolean(), endpoints.ToString());
        Assert.Equal(0, endpoints.GetProperty("resources").GetInt32());
        Assert.Equal(1, endpoints.GetProperty("removed").GetInt32());
        Assert.NotNull(await ClusterAsync(lab, "reviews.default"));
    }

    [NetnsFact]
    public async Task ReconnectingProxy_GetsTheWholeSet()
    {
        await using var lab = await DiscoveryLab.StartAsync("v1");
        lab.Control.WriteManifest("ratings.yaml", DiscoveryLab.Service("ratings", "10.96.0.11", app: "ratings"));
        await Poll.UntilAsync(async () => await ClusterAsync(lab, "ratings.default") is not null, "the proxy to hold ratings", async () => await ClustersTextAsync(lab));
        Assert.True((await LastSentAsync(lab, "endpoints")).GetProperty("incremental").GetBoolean());

        lab.Control.Kill();
        await Poll.UntilAsync(async () => !(await lab.ProxyDiscoveryAsync()).GetProperty("connected").GetBoolean(), "the proxy to notice the control plane is gone",
            async () => (await lab.ProxyDiscoveryAsync()).ToString());
        await lab.Control.RestartAsync();
        await lab.UntilConfiguredAsync();

        // The new stream starts from nothing: every type arrives whole (reviews and ratings), none as a change.
        var types = (await lab.SynczAsync()).GetProperty("proxies")[0].GetProperty("types");
        foreach (var type in types.EnumerateObject())
        {
            Assert.False(type.Value.GetProperty("incremental").GetBoolean(), type.ToString());
        }

        Assert.Equal(2, types.GetProperty("endpoints").GetProperty("resources").GetInt32());
        Assert.Equal(2, types.GetProperty("services").GetProperty("resources").GetInt32());
        Assert.NotNull(await ClusterAsync(lab, "ratings.default"));
    }

    private static async Task<JsonElement> LastSentAsync(DiscoveryLab lab, string type) =>
        (await lab.SynczAsync()).GetProperty("proxies")[0].GetProperty("types").GetProperty(type);

    private static async Task<string> ClustersTextAsync(DiscoveryLab lab) => (await lab.Proxy.GetAsync("/clusters")).Item2;

    private static async Task<JsonElement?> ClusterAsync(DiscoveryLab lab, string service)
    {
        foreach (var cluster in JsonDocument.Parse(await ClustersTextAsync(lab)).RootElement.EnumerateArray())
        {
            if (cluster.GetProperty("service").GetString() == service)
            {
                return cluster.Clone();
            }
        }

        return null;
    }

    private static async Task<long> MetricAsync(DiscoveryLab lab, string name, string type)
    {
        var line = (await lab.Control.GetAsync("/metrics")).Body.Split('\n').Single(l => l.StartsWith($"{name}{{type=\"{type}\"}} ", StringComparison.Ordinal));
        return long.Parse(line[(line.IndexOf(' ', StringComparison.Ordinal) + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }
}
