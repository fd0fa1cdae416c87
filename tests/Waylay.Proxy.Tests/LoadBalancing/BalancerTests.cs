using System.Net;
using Waylay.Proxy.LoadBalancing;
using Xunit;

namespace Waylay.Proxy.Tests.LoadBalancing;

public sealed class BalancerTests
{
    private static EndpointStats[] Endpoints(int n) =>
        Enumerable.Range(1, n).Select(i => new EndpointStats("svc", new IPEndPoint(IPAddress.Parse($"10.0.0.{i}"), 80))).ToArray();

    [Fact]
    public void RoundRobin_GivesEachEndpointItsTurn()
    {
        var endpoints = Endpoints(3);
        var balancer = new RoundRobinBalancer(seed: 5);
        var picks = Enumerable.Range(0, 300).Select(_ => balancer.Pick(endpoints)).GroupBy(e => e).ToDictionary(g => g.Key, g => g.Count());
        Assert.All(endpoints, e => Assert.Equal(100, picks[e]));
    }

    [Fact]
    public void LeastConnections_PrefersTheLeastBusy()
    {
        var endpoints = Endpoints(3);
        endpoints[0].Opened();
        endpoints[0].Opened();
        endpoints[2].Opened();
        var balancer = new LeastConnectionsBalancer(seed: 0);
        Assert.Same(endpoints[1], balancer.Pick(endpoints));
        endpoints[1].Opened();
        endpoints[1].Opened();
        Assert.Same(endpoints[2], balancer.Pick(endpoints));
    }

    [Fact]
    public void LeastConnections_SharesTiesInTurn()
    {
        var endpoints = Endpoints(2);
        var balancer = new LeastConnectionsBalancer(seed: 0);
        var picks = Enumerable.Range(0, 10).Select(_ => balancer.Pick(endpoints)).Distinct().Count();
        Assert.Equal(2, picks);
    }
}
