using Waylay.Proxy.Mesh.Tests.Lab;
using Waylay.TestKit;
using Xunit;

namespace Waylay.Proxy.Mesh.Tests.Http1;

/// <summary>
/// Envoy's upstream connection pools (one per endpoint, HTTP/1.1 keep-alive): requests routed one by one to three
/// endpoints reuse a pooled connection to each instead of dialling per request, which is what the seed's
/// <c>lsof -i</c> shows as long-lived connections from the sidecar; and DestinationRule
/// <c>connectionPool.http.maxRequestsPerConnection: 1</c> turns that off. Counted where it cannot be faked: at the apps.
/// </summary>
public sealed class UpstreamPoolTests
{
    [NetnsFact]
    public async Task ThreeHundredRequests_OverThreeEndpoints_ReuseKeepAliveConnections()
    {
        await using var lab = await ServiceLab.StartAsync(rules: null);
        using var client = lab.Client(maxConnections: 1);
        for (var i = 0; i < 300; i++)
        {
            using var response = await client.GetAsync(ServiceLab.Url($"/pooled/{i}"));
            Assert.Equal(200, (int)response.StatusCode);
        }

        Assert.All(lab.Endpoints, e =>
        {
            Assert.True(e.Requests >= 50, $"{e.Name} served {e.Requests}: not balanced per request");
            Assert.True(e.Connections <= 2, $"{e.Name} accepted {e.Connections} connections for {e.Requests} requests: no keep-alive pool");
        });
    }

    [NetnsFact]
    public async Task MaxRequestsPerConnectionOne_EveryRequestOnItsOwnUpstreamConnection()
    {
        await using var lab = await ServiceLab.StartAsync(Rules.Subsets(trafficPolicy: "  trafficPolicy:\n    connectionPool:\n      http: {maxRequestsPerConnection: 1}\n"));
        using var client = lab.Client(maxConnections: 1);
        for (var i = 0; i < 30; i++)
        {
            using var response = await client.GetAsync(ServiceLab.Url($"/one-each/{i}"));
            Assert.Equal(200, (int)response.StatusCode);
        }

        Assert.Equal(30, lab.Endpoints.Sum(e => e.Requests));
        Assert.All(lab.Endpoints, e => Assert.Equal(e.Requests, e.Connections));
    }
}
