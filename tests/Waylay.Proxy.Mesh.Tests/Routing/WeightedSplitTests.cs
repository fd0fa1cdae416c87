using Waylay.Proxy.Mesh.Tests.Lab;
using Waylay.TestKit;
using Xunit;

namespace Waylay.Proxy.Mesh.Tests.Routing;

/// <summary>
/// Istio's traffic shifting and request routing, per request on keep-alive connections (Envoy's
/// <c>weighted_clusters</c> and header matchers): a VirtualService splits 50/30/20 over DestinationRule subsets chosen
/// by endpoint labels, a header match (<c>end-user: jason</c> → v2, the Bookinfo example) is evaluated before the split
/// and always wins, and without any rule a request may go to every version (Envoy's round robin over the cluster).
/// All requests ride one client connection, so the spread can only come from routing each request, not each connection.
/// </summary>
public sealed class WeightedSplitTests
{
    private static readonly string SplitWithJason = Rules.Join(
        """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata:
          name: reviews
          namespace: default
        spec:
          hosts: [reviews]
          http:
          - name: jason
            match:
            - headers:
                end-user: {exact: jason}
            route:
            - destination: {host: reviews, subset: v2}
          - name: split
            route:
            - destination: {host: reviews, subset: v1}
              weight: 50
            - destination: {host: reviews, subset: v2}
              weight: 30
            - destination: {host: reviews, subset: v3}
              weight: 20
        """,
        Rules.Subsets());

    [NetnsFact]
    public async Task FiftyThirtyTwenty_Over2000RequestsOnOneConnection_EachVersionWithinFivePercent()
    {
        await using var lab = await ServiceLab.StartAsync(SplitWithJason);
        using var client = lab.Client(maxConnections: 1);

        var landed = new Dictionary<string, int>();
        for (var i = 0; i < 2000; i++)
        {
            using var response = await client.GetAsync(ServiceLab.Url($"/split/{i}"));
            Assert.Equal(200, (int)response.StatusCode);
            var version = await response.Content.ReadAsStringAsync();
            landed[version] = landed.GetValueOrDefault(version) + 1;
        }

        Assert.Equal(["v1", "v2", "v3"], landed.Keys.Order());
        Assert.InRange(landed["v1"], 900, 1100);
        Assert.InRange(landed["v2"], 500, 700);
        Assert.InRange(landed["v3"], 300, 500);

        // What the client saw is what the apps served: nothing answered twice, nothing answered by the proxy.
        Assert.Equal(landed, lab.ServedCounts());
    }

    [NetnsFact]
    public async Task HeaderMatch_EndUserJason_AlwaysGoesToV2_InterleavedWithSplitTraffic()
    {
        await using var lab = await ServiceLab.StartAsync(SplitWithJason);
        using var client = lab.Client(maxConnections: 1);

        var others = new Dictionary<string, int>();
        for (var i = 0; i < 600; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, ServiceLab.Url($"/match/{i}"));
            var jason = i % 2 == 0;
            request.Headers.Add("end-user", jason ? "jason" : i % 4 == 1 ? "jasonx" : "ana");
            using var response = await client.SendAsync(request);
            Assert.Equal(200, (int)response.StatusCode);
            var version = await response.Content.ReadAsStringAsync();
            if (jason)
            {
                Assert.Equal("v2", version);
            }
            else
            {
                others[version] = others.GetValueOrDefault(version) + 1;
            }
        }

        // The exact match is exact: "jasonx" and "ana" fell through to the split and reached all three versions.
        Assert.Equal(["v1", "v2", "v3"], others.Keys.Order());
        Assert.Equal(300 + others["v2"], lab.Endpoint("v2").Requests);
        Assert.All(lab.Endpoint("v2").Served.Where(r => r.Fields.GetValueOrDefault("end-user") == "jason"), r => Assert.StartsWith("/match/", r.PathAndQuery));
        Assert.DoesNotContain(lab.Endpoint("v1").Served, r => r.Fields.GetValueOrDefault("end-user") == "jason");
        Assert.DoesNotContain(lab.Endpoint("v3").Served, r => r.Fields.GetValueOrDefault("end-user") == "jason");
    }

    [NetnsFact]
    public async Task NoRules_RequestsOnOneKeepAliveConnection_AreBalancedOverEveryVersion()
    {
        await using var lab = await ServiceLab.StartAsync(rules: null);
        using var client = lab.Client(maxConnections: 1);

        for (var i = 0; i < 300; i++)
        {
            using var response = await client.GetAsync(ServiceLab.Url("/"));
            Assert.Equal(200, (int)response.StatusCode);
        }

        // Round robin, per request: an L4 proxy would have sent all 300 to the one endpoint the connection landed on.
        Assert.All(lab.Endpoints, e => Assert.InRange(e.Requests, 90, 110));
        Assert.Equal(300, lab.Endpoints.Sum(e => e.Requests));
    }
}
