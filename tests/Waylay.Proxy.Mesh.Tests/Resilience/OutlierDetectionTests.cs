using Waylay.Proxy.Mesh.Tests.Lab;
using Waylay.TestKit;
using Xunit;

namespace Waylay.Proxy.Mesh.Tests.Resilience;

/// <summary>
/// Envoy's outlier detection as Istio's DestinationRule configures it (<c>consecutive5xxErrors</c> → Envoy's
/// <c>consecutive_5xx</c>, ejection at once when the threshold is hit, return after <c>baseEjectionTime</c> × ejections
/// on the next <c>interval</c> sweep, <c>maxEjectionPercent</c>): the first 503 from v3 ejects it, round robin then
/// skips it, and once it is healthy it comes back by itself. Everything is driven by polling what the endpoints saw.
/// </summary>
public sealed class OutlierDetectionTests
{
    private static readonly string EjectOnFirst5xx = Rules.Subsets(trafficPolicy: """
          trafficPolicy:
            loadBalancer: {simple: ROUND_ROBIN}
            outlierDetection:
              consecutive5xxErrors: 1
              interval: 1s
              baseEjectionTime: 2s
              maxEjectionPercent: 100
        """);

    [NetnsFact]
    public async Task FirstFailureEjectsTheEndpoint_RoundRobinSkipsIt_ItReturnsAfterTheBaseEjectionTime()
    {
        await using var lab = await ServiceLab.StartAsync(EjectOnFirst5xx);
        var v3 = lab.Endpoint("v3");
        v3.FailWith = 503;
        using var client = lab.Client(maxConnections: 1);

        // 1. Round robin reaches v3 within one turn; its 503 is retried elsewhere, and ejects it.
        for (var i = 0; i < 6 && v3.Requests == 0; i++)
        {
            using var response = await client.GetAsync(ServiceLab.Url("/until-v3"));
            Assert.Equal(200, (int)response.StatusCode);
        }

        Assert.Equal(1, v3.Requests);

        // 2. Ejected: two more full turns of round robin over three endpoints would have reached v3 twice.
        for (var i = 0; i < 6; i++)
        {
            using var response = await client.GetAsync(ServiceLab.Url("/while-ejected"));
            Assert.Equal(200, (int)response.StatusCode);
        }

        Assert.Equal(1, v3.Requests);
        Assert.DoesNotContain(v3.Served, r => r.PathAndQuery == "/while-ejected");

        // 3. Healthy again: after the base ejection time the sweep brings it back and it serves.
        v3.FailWith = 0;
        await Wait.UntilAsync(async () =>
        {
            using var response = await client.GetAsync(ServiceLab.Url("/after-ejection"));
            Assert.Equal(200, (int)response.StatusCode);
            return await response.Content.ReadAsStringAsync() == "v3";
        }, "v3 to serve again after its ejection", attempts: 300, lastSeen: () => Task.FromResult(string.Join(", ", lab.ServedCounts())));
    }
}
