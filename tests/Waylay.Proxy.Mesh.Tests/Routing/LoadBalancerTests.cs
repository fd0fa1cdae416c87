using Waylay.Proxy.Mesh.Tests.Lab;
using Waylay.TestKit;
using Xunit;

namespace Waylay.Proxy.Mesh.Tests.Routing;

/// <summary>
/// DestinationRule <c>loadBalancer.simple</c> as Envoy implements it, told apart by one slow endpoint among three
/// under concurrent load: ROUND_ROBIN gives each endpoint its turn whatever it costs (the slow one still gets a
/// third), LEAST_REQUEST (power of two choices on requests in flight) steers away from the endpoint that is holding
/// requests, so it gets far less.
/// </summary>
public sealed class LoadBalancerTests
{
    [NetnsTheory]
    [InlineData("ROUND_ROBIN", 0.25, 0.42)]
    [InlineData("LEAST_REQUEST", 0.0, 0.2)]
    public async Task OneSlowEndpointOfThree_ItsShareFollowsThePolicy(string policy, double low, double high)
    {
        await using var lab = await ServiceLab.StartAsync(Rules.Subsets(trafficPolicy: $"  trafficPolicy:\n    loadBalancer: {{simple: {policy}}}\n"));
        lab.Endpoint("v3").Delay = TimeSpan.FromMilliseconds(200);
        using var client = lab.Client();

        await Task.WhenAll(Enumerable.Range(0, 8).Select(async worker =>
        {
            for (var i = 0; i < 40; i++)
            {
                using var response = await client.GetAsync(ServiceLab.Url($"/lb/{worker}/{i}"));
                Assert.Equal(200, (int)response.StatusCode);
            }
        }));

        var share = lab.Endpoint("v3").Requests / 320.0;
        Assert.True(share >= low && share <= high, $"{policy}: the slow endpoint served {share:P0} of 320 ({string.Join(", ", lab.ServedCounts())}), expected {low:P0}–{high:P0}");
    }
}
