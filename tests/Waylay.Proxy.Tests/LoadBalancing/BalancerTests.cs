using System.Net;
using Waylay.Proxy.LoadBalancing;
using Xunit;

namespace Waylay.Proxy.Tests.LoadBalancing;

public sealed class BalancerTests
{
    private static EndpointStats[] Endpoints(int n) =>
        Enumerable.Range(1, n).Select(i => new EndpointStats("svc", new IPEndPoint(IPAddress.Parse($"10.0.0.{i}"), 80))).ToArray();

    private static Candidates All(EndpointStats[] endpoints) => new(endpoints, null, null, endpoints.Length);

    [Fact]
    public void RoundRobin_GivesEachEndpointItsTurn()
    {
        var endpoints = Endpoints(3);
        var balancer = new RoundRobinBalancer();
        var picks = Enumerable.Range(0, 300).Select(_ => balancer.Pick(All(endpoints), new Random(1))).GroupBy(e => e).ToDictionary(g => g.Key, g => g.Count());
        Assert.All(endpoints, e => Assert.Equal(100, picks[e]));
    }

    [Fact]
    public void LeastConnections_PrefersTheLeastBusy()
    {
        var endpoints = Endpoints(3);
        endpoints[0].Opened();
        endpoints[0].Opened();
        endpoints[2].Opened();
        var balancer = new LeastConnectionsBalancer();
        Assert.Same(endpoints[1], balancer.Pick(All(endpoints), new Random(1)));
        endpoints[1].Opened();
        endpoints[1].Opened();
        Assert.Same(endpoints[2], balancer.Pick(All(endpoints), new Random(1)));
    }

    [Fact]
    public void LeastConnections_SharesTiesInTurn()
    {
        var endpoints = Endpoints(2);
        var balancer = new LeastConnectionsBalancer();
        var picks = Enumerable.Range(0, 10).Select(_ => balancer.Pick(All(endpoints), new Random(1))).Distinct().Count();
        Assert.Equal(2, picks);
    }

    [Fact]
    public void LeastRequest_PicksTheLessLoadedOfTwo_AndAvoidsTheBusiest()
    {
        var endpoints = Endpoints(4);
        for (var i = 0; i < 50; i++)
        {
            endpoints[3].RequestStarted();
        }

        var balancer = new LeastRequestBalancer();
        var random = new Random(11);
        var counts = new int[4];
        for (var i = 0; i < 3000; i++)
        {
            counts[Array.IndexOf(endpoints, balancer.Pick(All(endpoints), random))]++;
        }

        // the busiest is only chosen when both draws are it, which two distinct draws never are
        Assert.Equal(0, counts[3]);
        Assert.All(counts[..3], c => Assert.InRange(c, 800, 1200));
    }

    [Fact]
    public void LeastRequest_TwoChoices_AreDistinct()
    {
        // with two endpoints the pair is always both, so the less loaded always wins
        var endpoints = Endpoints(2);
        for (var i = 0; i < 5; i++)
        {
            endpoints[0].RequestStarted();
        }

        endpoints[1].RequestStarted();
        var balancer = new LeastRequestBalancer();
        var random = new Random(3);
        for (var i = 0; i < 100; i++)
        {
            Assert.Same(endpoints[1], balancer.Pick(All(endpoints), random));
        }
    }

    [Fact]
    public void Random_IsUniform_AndSeeded()
    {
        var endpoints = Endpoints(3);
        var balancer = new RandomBalancer();
        var random = new Random(8);
        var counts = new int[3];
        for (var i = 0; i < 3000; i++)
        {
            counts[Array.IndexOf(endpoints, balancer.Pick(All(endpoints), random))]++;
        }

        Assert.All(counts, c => Assert.InRange(c, 900, 1100));
        var ten = Endpoints(10);
        var (a, b) = (new Random(42), new Random(42));
        Assert.Equal(Enumerable.Range(0, 20).Select(_ => balancer.Pick(All(ten), a)), Enumerable.Range(0, 20).Select(_ => balancer.Pick(All(ten), b)));
    }

    [Fact]
    public void Candidates_LeaveOutTheHostJustTried()
    {
        var endpoints = Endpoints(3);
        var candidates = new Candidates(endpoints, null, endpoints[1], 2);
        Assert.Equal([endpoints[0], endpoints[2]], [candidates[0], candidates[1]]);
    }

    [Theory]
    [InlineData("ROUND_ROBIN")]
    [InlineData("LEAST_REQUEST")]
    [InlineData("RANDOM")]
    [InlineData("LEAST_CONN")]
    public void Balancers_AreLookedUpByTheirIstioName(string name) => Assert.Equal(name, LoadBalancers.Create(name).Name);

    [Fact]
    public void ARuleChoosesTheBalancer_ElseTheServiceDeclaresIt()
    {
        Assert.Equal("RANDOM", LoadBalancers.NameOf(Waylay.Mesh.Networking.LoadBalancerKind.Random, Waylay.Mesh.LoadBalancerPolicy.LeastConnections));
        Assert.Equal("LEAST_CONN", LoadBalancers.NameOf(Waylay.Mesh.Networking.LoadBalancerKind.RoundRobin, Waylay.Mesh.LoadBalancerPolicy.LeastConnections));
        Assert.Equal("ROUND_ROBIN", LoadBalancers.NameOf(Waylay.Mesh.Networking.LoadBalancerKind.RoundRobin, Waylay.Mesh.LoadBalancerPolicy.RoundRobin));
        Assert.Throws<ArgumentOutOfRangeException>(() => LoadBalancers.Create("MAGLEV"));
    }
}
