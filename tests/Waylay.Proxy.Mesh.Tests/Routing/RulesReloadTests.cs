using System.Text.RegularExpressions;
using Waylay.Proxy.Mesh.Tests.Lab;
using Waylay.TestKit;
using Xunit;

namespace Waylay.Proxy.Mesh.Tests.Routing;

/// <summary>
/// Istio's config push without a drop (Envoy swaps route tables under live connections, xDS's promise): the rules
/// file is rewritten while four clients send requests on keep-alive connections; each change takes effect for new
/// requests, a bad edit is logged and the last good rules stay, and not one request fails along the way. The
/// documents use all three API versions the contract names (v1, v1beta1, v1alpha3).
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
        await UntilOnlyAsync(lab, load, "v3");

        // 2. Everything to v1 (v1beta1).
        lab.Rules.Write(Rules.Join(Rules.Split("networking.istio.io/v1beta1", 100, 0, 0), Rules.Subsets()));
        await UntilOnlyAsync(lab, load, "v1");

        // 3. A bad edit (weights adding up to 150): logged naming the file, the v1 rules stay.
        var mentions = Regex.Count(lab.Proxy.Output, Regex.Escape(lab.Rules.Path));
        lab.Rules.Write(Rules.Join(Rules.Split("networking.istio.io/v1", 100, 50, 0), Rules.Subsets()));
        await Wait.UntilAsync(() => Regex.Count(lab.Proxy.Output, Regex.Escape(lab.Rules.Path)) > mentions, "the proxy to log the rejected rules file",
            lastSeen: () => lab.Proxy.Output);
        var before = lab.ServedCounts();
        for (var i = 0; i < 50; i++)
        {
            using var response = await client.GetAsync(ServiceLab.Url("/after-bad-edit"));
            Assert.Equal("v1", await response.Content.ReadAsStringAsync());
        }

        Assert.Equal(before["v2"], lab.Endpoint("v2").Requests);
        Assert.Equal(before["v3"], lab.Endpoint("v3").Requests);

        // 4. Back to the split: all three versions serve again.
        lab.Rules.Write(Rules.Join(Rules.Split("networking.istio.io/v1", 34, 33, 33), Rules.Subsets()));
        var split = lab.ServedCounts();
        await Wait.UntilAsync(() => lab.Endpoints.All(e => e.Requests > split[e.Name] + 10), "all three versions to serve again after the last edit",
            lastSeen: () => string.Join(", ", lab.ServedCounts()));

        await load.StopAsync();
        Assert.Empty(load.Failures);
        Assert.True(load.Succeeded > 100, $"only {load.Succeeded} requests ran under load");
    }

    /// <summary>Polls until the last 40 answers of the load all came from <paramref name="version"/>.</summary>
    private static async Task UntilOnlyAsync(ServiceLab lab, Load load, string version)
    {
        var mark = load.ServedBy.Count;
        await Wait.UntilAsync(
            () => load.ServedBy.Count >= mark + 40 && load.ServedBy.Reverse().Take(40).All(v => v == version),
            $"the load to be served by {version} only",
            attempts: 300,
            lastSeen: () => string.Join(",", load.ServedBy.Reverse().Take(40)) + $"; failures: {load.Failures.Count}; proxy: {lab.Proxy.Output}");
    }
}
