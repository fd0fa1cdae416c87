using System.Net;
using Microsoft.Extensions.Time.Testing;
using Waylay.Mesh;
using Waylay.Mesh.Networking;
using Waylay.Proxy.Routing;
using Waylay.Proxy.LoadBalancing;
using Waylay.Proxy.Telemetry.Http;
using Xunit;
using Waylay.Proxy.Connections;

namespace Waylay.Proxy.Tests.Http;

/// <summary>
/// From a route selection to one endpoint, as Envoy's cluster manager does it: subsets by label, ejected hosts and
/// the host just tried left out, the panic threshold, and the failures with their response flags.
/// </summary>
public sealed class UpstreamSelectorTests
{
    private const string Mesh = """
        services:
        - name: reviews
          addresses: [10.96.0.10]
          ports: [{name: http, port: 9080}]
          endpoints:
          - {address: 10.244.1.1, labels: {version: v1}}
          - {address: 10.244.1.2, labels: {version: v2}}
          - {address: 10.244.1.3, labels: {version: v2}}
          - {address: 10.244.1.4, labels: {version: v2}}
          - {address: 10.244.1.5, labels: {version: v3}, health: Unhealthy}
        """;

    private const string Rules = """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: reviews}
        spec:
          host: reviews
          trafficPolicy:
            outlierDetection: {consecutive5xxErrors: 1, interval: 1s, baseEjectionTime: 30s, maxEjectionPercent: 100}
          subsets:
          - {name: v1, labels: {version: v1}}
          - {name: v2, labels: {version: v2}}
          - {name: v3, labels: {version: v3}}
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: reviews}
        spec:
          hosts: [reviews]
          http:
          - match: [{uri: {prefix: /v1}}]
            route: [{destination: {host: reviews, subset: v1}}]
          - match: [{uri: {prefix: /v3}}]
            route: [{destination: {host: reviews, subset: v3}}]
          - match: [{uri: {prefix: /nowhere}}]
            route: [{destination: {host: ratings}}]
          - match: [{uri: {prefix: /missing}}]
            route: [{destination: {host: reviews, subset: v9}}]
          - match: [{uri: {prefix: /v2}}]
            route: [{destination: {host: reviews, subset: v2}}]
        """;

    private readonly FakeTimeProvider _time = new();
    private readonly RouteTable _table;
    private readonly UpstreamSelector _selector;

    public UpstreamSelectorTests()
    {
        _table = RouteTable.Build(MeshFileReader.Read(Mesh), NetworkingReader.Read(Rules), new EndpointStatsRegistry());
        _selector = new UpstreamSelector(new ClusterRegistry(_time));
    }

    private RouteSelection Route(string path)
    {
        Assert.True(_table.TryGetService(new IPEndPoint(IPAddress.Parse("10.96.0.10"), 9080), out var service));
        return service.HostRoutes.Select(new RouteRequest("GET", path, 9080, new NoHeaders()), new Random(1));
    }

    private string Pick(string path, EndpointStats? exclude = null)
    {
        var choice = _selector.Choose(_table, Route(path), new Random(3), exclude);
        Assert.True(choice.IsRouted, $"not routed: {choice.Status} {choice.Flag}");
        return choice.Endpoint!.Address.Address.ToString();
    }

    [Fact]
    public void Subset_SelectsByLabels_RoundRobinOverItsMembers()
    {
        Assert.Equal("10.244.1.1", Pick("/v1/a"));
        var seen = Enumerable.Range(0, 6).Select(_ => Pick("/v2/a")).ToList();
        Assert.Equal(["10.244.1.2", "10.244.1.3", "10.244.1.4"], seen.Distinct().Order());
        Assert.Equal(2, seen.Count(a => a == "10.244.1.3"));
    }

    [Fact]
    public void Failures_AnswerLikeEnvoy()
    {
        Assert.Equal((503, ResponseFlags.NoHealthyUpstream), Fail("/v3/a"));   // its only member is unhealthy
        Assert.Equal((503, ResponseFlags.NoClusterFound), Fail("/nowhere"));   // no such service
        Assert.Equal((503, ResponseFlags.NoClusterFound), Fail("/missing"));   // no such subset
        Assert.Equal((404, ResponseFlags.NoRouteFound), Fail("/other"));       // no route matches
    }

    private (int, ResponseFlags) Fail(string path)
    {
        var choice = _selector.Choose(_table, Route(path), new Random(3));
        Assert.False(choice.IsRouted);
        return (choice.Status, choice.Flag);
    }

    [Fact]
    public void Retry_AvoidsTheHostJustTried_UnlessItIsTheOnlyOne()
    {
        var first = _selector.Choose(_table, Route("/v2/a"), new Random(3));
        for (var i = 0; i < 20; i++)
        {
            Assert.NotEqual(first.Endpoint!.Address.Address.ToString(), Pick("/v2/a", first.Endpoint));
        }

        var only = _selector.Choose(_table, Route("/v1/a"), new Random(3));
        Assert.Equal("10.244.1.1", Pick("/v1/a", only.Endpoint));
    }

    [Fact]
    public void EjectedHost_IsLeftOut_UntilMostAreOut_ThenPanicUsesAll()
    {
        var choice = _selector.Choose(_table, Route("/v2/a"), new Random(3));
        UpstreamSelector.Report(choice, 503); // consecutive5xxErrors: 1 → ejected at once
        var ejected = choice.Endpoint!.Address.Address.ToString();
        Assert.DoesNotContain(ejected, Enumerable.Range(0, 12).Select(_ => Pick("/v2/a")));

        // Two of three out: fewer than half eligible, Envoy's 50 % panic threshold balances over all again.
        UpstreamSelector.Report(_selector.Choose(_table, Route("/v2/a"), new Random(3)), 503);
        Assert.Equal(3, Enumerable.Range(0, 12).Select(_ => Pick("/v2/a")).Distinct().Count());

        _time.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(3, Enumerable.Range(0, 12).Select(_ => Pick("/v2/a")).Distinct().Count());
    }
}
