using System.Text.RegularExpressions;
using Waylay.Proxy.Mesh.Tests.Lab;
using Waylay.TestKit;
using Xunit;

namespace Waylay.Proxy.Mesh.Tests.Routing;

/// <summary>
/// Istio's config push without a drop (Envoy swaps route tables under live connections, xDS's promise): the rules
/// file is rewritten while four clients send requests on keep-alive connections; each change takes effect, a bad edit
/// is logged and the last good rules stay, and not one request fails along the way. Envoy applies a new route table
/// to the next request of a connection that is already open (RDS), so an app with a pooled client follows a canary
/// shift too. The documents use all three API versions the contract names (v1, v1beta1, v1alpha3).
/// </summary>
public sealed class RulesReloadTests
{
    [NetnsFact]
    public async Task RulesRewrittenUnderLoad_EachChangeTakesEffect_BadEditKeepsLastGood_NoRequestFails()
    {
        await using var lab = await ServiceLab.StartAsync(Rules.Join(Rules.Split("networking.istio.io/v1", 50, 30, 20), Rules.Subsets()));
        using var client = lab.Client();
        await using var load = Load.Start(client, () => new HttpRequestMessage(HttpMethod.Get, ServiceLab.Url("/load")), workers: 4);

        // 1. Everything to v3 (v1alpha3 documents).
        lab.Rules!.Write(Rules.Join(Rules.Split("networking.istio.io/v1alpha3", 0, 0, 100), Rules.Subsets(apiVersion: "networking.istio.io/v1alpha3")));
        await UntilFreshConnectionsGetOnlyAsync(lab, "v3");

        // 2. Everything to v1 (v1beta1).
        lab.Rules.Write(Rules.Join(Rules.Split("networking.istio.io/v1beta1", 100, 0, 0), Rules.Subsets()));
        await UntilFreshConnectionsGetOnlyAsync(lab, "v1");

        // 3. A bad edit (weights adding up to 150): logged naming the file, the v1 rules stay.
        var mentions = Regex.Count(lab.Proxy.Output, Regex.Escape(lab.Rules.Path));
        lab.Rules.Write(Rules.Join(Rules.Split("networking.istio.io/v1", 100, 50, 0), Rules.Subsets()));
        await Wait.UntilAsync(() => Regex.Count(lab.Proxy.Output, Regex.Escape(lab.Rules.Path)) > mentions, "the proxy to log the rejected rules file",
            lastSeen: () => lab.Proxy.Output);
        Assert.Equal(["v1"], await FreshConnectionVersionsAsync(lab, 30));

        // 4. Back to a split: all three versions serve again.
        lab.Rules.Write(Rules.Join(Rules.Split("networking.istio.io/v1", 34, 33, 33), Rules.Subsets()));
        await Wait.UntilAsync(async () => (await FreshConnectionVersionsAsync(lab, 30)).Count == 3, "all three versions to serve again after the last edit",
            lastSeen: () => Task.FromResult(string.Join(", ", lab.ServedCounts())));

        await load.StopAsync();
        Assert.Empty(load.Failures);
        Assert.True(load.Succeeded > 100, $"only {load.Succeeded} requests ran under load");
    }

    [NetnsFact]
    public async Task RulesChange_ReachesTheNextRequestsOfAnAlreadyOpenKeepAliveConnection()
    {
        await using var lab = await ServiceLab.StartAsync(Rules.Join(Rules.Split("networking.istio.io/v1", 50, 30, 20), Rules.Subsets()));
        using var client = lab.Client(maxConnections: 1);
        for (var i = 0; i < 20; i++)
        {
            using var response = await client.GetAsync(ServiceLab.Url("/before"));
            Assert.Equal(200, (int)response.StatusCode);
        }

        lab.Rules!.Write(Rules.Join(Rules.Split("networking.istio.io/v1", 0, 0, 100), Rules.Subsets()));
        await UntilFreshConnectionsGetOnlyAsync(lab, "v3");

        // The rules are in force (new connections follow them): the open connection's next requests must too.
        var versions = new List<string>();
        for (var i = 0; i < 30; i++)
        {
            versions.Add(await client.GetStringAsync(ServiceLab.Url("/after")));
        }

        Assert.True(versions.All(v => v == "v3"), $"requests on the connection opened before the change still follow the old rules: {string.Join(",", versions)}");
    }

    /// <summary>Polls, each time on a new client connection, until 20 requests in a row are all served by <paramref name="version"/>.</summary>
    private static Task UntilFreshConnectionsGetOnlyAsync(ServiceLab lab, string version)
    {
        IReadOnlyCollection<string> last = [];
        return Wait.UntilAsync(async () => (last = await FreshConnectionVersionsAsync(lab, 20)).SequenceEqual([version]),
            $"new connections to be served by {version} only", attempts: 300,
            lastSeen: () => Task.FromResult(string.Join(",", last) + "; proxy: " + lab.Proxy.Output));
    }

    /// <summary>The distinct versions that answered <paramref name="count"/> requests on a connection opened for them.</summary>
    private static async Task<IReadOnlyCollection<string>> FreshConnectionVersionsAsync(ServiceLab lab, int count)
    {
        using var client = lab.Client(maxConnections: 1);
        var versions = new SortedSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            versions.Add(await client.GetStringAsync(ServiceLab.Url("/probe")));
        }

        return versions;
    }
}
