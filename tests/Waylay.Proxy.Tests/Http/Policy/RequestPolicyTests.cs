using System.Net;
using Microsoft.Extensions.Time.Testing;
using Waylay.Mesh;
using Waylay.Mesh.Networking;
using Waylay.Proxy.Http.Policy;
using Waylay.Proxy.LoadBalancing;
using Waylay.Proxy.Routing;
using Xunit;
using Waylay.Proxy.Connections;

namespace Waylay.Proxy.Tests.Http.Policy;

/// <summary>
/// The request-policy stage both codecs call: routing with Envoy's refusals, the fault and rewrite decided once, the
/// retry decision (tries, retryOn, outcomes reported to outlier detection) and the cluster's request limit per try.
/// </summary>
public sealed class RequestPolicyTests
{
    private const string Mesh = """
        services:
        - name: reviews
          addresses: [10.96.0.10]
          ports: [{name: http, port: 9080}]
          endpoints:
          - {address: 10.244.1.1}
          - {address: 10.244.1.2}
          - {address: 10.244.1.3}
        """;

    private const string Rules = """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: reviews}
        spec:
          host: reviews
          trafficPolicy:
            connectionPool: {http: {http2MaxRequests: 1}}
            outlierDetection: {consecutive5xxErrors: 1, interval: 1s, baseEjectionTime: 30s, maxEjectionPercent: 100}
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: reviews}
        spec:
          hosts: [reviews]
          http:
          - match: [{uri: {prefix: /old}}]
            rewrite: {uri: /new}
            retries: {attempts: 3, retryOn: "connect-failure,503"}
            route: [{destination: {host: reviews}}]
          - match: [{uri: {prefix: /abort}}]
            rewrite: {uri: /never}
            fault: {abort: {httpStatus: 418, percentage: {value: 100}}}
            route: [{destination: {host: reviews}}]
          - match: [{uri: {prefix: /plain}}]
            route: [{destination: {host: reviews}}]
          - match: [{uri: {prefix: /missing}}]
            route: [{destination: {host: reviews, subset: v9}}]
        """;

    private readonly RouteTable _table = RouteTable.Build(MeshFileReader.Read(Mesh), NetworkingReader.Read(Rules), new EndpointStatsRegistry());
    private readonly UpstreamSelector _selector = new(new ClusterRegistry(new FakeTimeProvider()));

    private RequestRoute Route(string path)
    {
        Assert.True(_table.TryGetService(new IPEndPoint(IPAddress.Parse("10.96.0.10"), 9080), out var service));
        return RequestRoute.Select(null, _table, service, default, new RouteRequest("GET", path, 9080, new NoHeaders()), new Random(1));
    }

    [Fact]
    public void Unrouted_AnswersLikeEnvoy()
    {
        Assert.Equal((404, ResponseFlags.NoRouteFound), Route("/other").Refusal);
        Assert.Equal((503, ResponseFlags.NoClusterFound), Route("/missing").Refusal);
        Assert.False(Route("/other").IsRouted);
    }

    [Fact]
    public void Routed_CarriesTheRewrittenPath_AndTheRoutesRetries()
    {
        var route = Route("/old/a?x=1");
        Assert.True(route.IsRouted);
        Assert.True(route.Fault.IsNone);
        Assert.Equal("/new/a?x=1", route.ForwardedPath);
        Assert.Equal(4, route.Retry.Tries);
        Assert.True(route.Retry.KeepsBody);
        Assert.False(route.Retry.IsLast(3));
        Assert.True(route.Retry.IsLast(4));
    }

    [Fact]
    public void Abort_IsDecidedWithTheRoute_AndNothingIsRewritten()
    {
        var route = Route("/abort/a");
        Assert.Equal(418, route.Fault.AbortStatus);
        Assert.Equal("/abort/a", route.ForwardedPath);
    }

    [Fact]
    public void Inbound_IsOneTry_AsReceived()
    {
        var route = RequestRoute.Inbound("/a?b");
        Assert.Equal("/a?b", route.ForwardedPath);
        Assert.Equal(1, route.Retry.Tries);
        Assert.False(route.Retry.KeepsBody);
        Assert.Null(route.Timeout);
        Assert.Same(HeaderEdits.None, route.RequestEdits);
    }

    [Fact]
    public void RetryDecision_ReportsEachOutcome_AndRetriesOnlyWhatRetryOnSays_BeforeTheLastTry()
    {
        var route = Route("/old/a");
        var retry = route.Retry;
        var first = _selector.Choose(_table, route.Selection, new Random(3));
        Assert.True(retry.AfterStatus(first, 503, last: false));
        Assert.False(retry.AfterStatus(first, 404, last: false));
        Assert.False(retry.AfterStatus(first, 503, last: true));
        Assert.True(retry.AfterFailure(first, UpstreamFailure.ConnectFailure, last: false));
        Assert.False(retry.AfterFailure(first, UpstreamFailure.PerTryTimeout, last: false));
        Assert.True(retry.RetriesAnswer(503, grpcStatus: null));
        Assert.False(retry.RetriesAnswer(200, grpcStatus: 14)); // unavailable is not in this route's retryOn
        Assert.False(RequestRoute.Inbound("/").Retry.RetriesAnswer(503, null));

        // consecutive5xxErrors: 1 — the reported 503 ejected the endpoint: the next choices go to the other one.
        var ejected = first.Endpoint!.Address;
        Assert.All(Enumerable.Range(0, 6), _ => Assert.NotEqual(ejected, _selector.Choose(_table, route.Selection, new Random(3)).Endpoint!.Address));
    }

    [Fact]
    public void TryBudget_HoldsThePlaceUnderHttp2MaxRequests_UntilTheTryExits()
    {
        var choice = _selector.Choose(_table, Route("/old/a").Selection, new Random(3));
        Assert.True(TryBudget.TryEnter(choice, out var budget));
        Assert.Equal(1, choice.Endpoint!.RequestsActive);
        Assert.False(TryBudget.TryEnter(choice, out _)); // http2MaxRequests: 1 → 503 UO
        budget.Exit();
        Assert.Equal(0, choice.Endpoint.RequestsActive);
        Assert.True(TryBudget.TryEnter(choice, out var again));
        again.Exit();
    }

    /// <summary>The stage on the hot path, a route with Istio's default retries (retriable-status-codes 503) included.</summary>
    [Fact]
    public void TheStage_AllocatesNothingPerRequest()
    {
        Assert.True(_table.TryGetService(new IPEndPoint(IPAddress.Parse("10.96.0.10"), 9080), out var service));
        var request = new RouteRequest("GET", "/plain/a?x=1", 9080, new NoHeaders());
        var random = new Random(1);
        void OneRequest()
        {
            var route = RequestRoute.Select(null, _table, service, default, request, random);
            var choice = _selector.Choose(_table, route.Selection, random);
            Assert.True(TryBudget.TryEnter(choice, out var budget));
            route.Retry.AfterStatus(choice, 200, route.Retry.IsLast(1));
            budget.Exit();
        }

        for (var i = 0; i < 1000; i++)
        {
            OneRequest();
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 200; i++)
        {
            OneRequest();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
