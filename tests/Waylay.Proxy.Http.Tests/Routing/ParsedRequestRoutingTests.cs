using Waylay.Mesh.Networking;
using Waylay.Proxy.Http.Http1;
using Waylay.Proxy.Routing;
using Xunit;

namespace Waylay.Proxy.Http.Tests.Routing;

/// <summary>The two halves together, as the connection core will join them: bytes → head → route.</summary>
public sealed class ParsedRequestRoutingTests
{
    private static readonly HttpRouteTable Table = HttpRouteTable.Build(NetworkingReader.Read("""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: reviews}
        spec:
          hosts: [reviews]
          http:
          - match: [{headers: {end-user: {exact: jason}}}]
            route: [{destination: {host: reviews, subset: v2}}]
          - match: [{uri: {prefix: /api/}}]
            rewrite: {uri: /}
            route: [{destination: {host: reviews, subset: v3}}]
          - route: [{destination: {host: reviews, subset: v1}}]
        ---
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: reviews}
        spec:
          host: reviews
          subsets:
          - {name: v1, labels: {version: v1}}
          - {name: v2, labels: {version: v2}}
          - {name: v3, labels: {version: v3}}
        """));

    private static RouteSelection Route(string wire)
    {
        var parser = new Http1RequestParser();
        Assert.Equal(Http1ParseStatus.Complete, parser.TryParse(Bytes.Sequence(wire), out _, out _, out _));
        var head = parser.Head;
        var routes = Table.ForHost("reviews.default.svc.cluster.local");
        return routes.Select(new RouteRequest(head.Method, head.PathAndQuery, 9080, head), new Random(1));
    }

    [Theory]
    [InlineData("GET /reviews/0 HTTP/1.1\r\nHost: reviews:9080\r\nEnd-User: jason\r\n\r\n", "v2")]
    [InlineData("GET /reviews/0 HTTP/1.1\r\nHost: reviews:9080\r\nend-user:   jason  \r\n\r\n", "v2")]
    [InlineData("GET /reviews/0 HTTP/1.1\r\nHost: reviews:9080\r\nEnd-User: Jason\r\n\r\n", "v1")]
    [InlineData("GET /api/x HTTP/1.1\r\nHost: reviews:9080\r\n\r\n", "v3")]
    [InlineData("GET http://reviews:9080/api/x HTTP/1.1\r\nHost: reviews\r\n\r\n", "v3")]
    [InlineData("GET / HTTP/1.0\r\n\r\n", "v1")]
    public void ParsedHead_FeedsTheRouteEngine(string wire, string subset)
    {
        var selection = Route(wire);
        Assert.Equal(RouteOutcome.Routed, selection.Outcome);
        Assert.Equal(subset, selection.Target!.Destination.Subset);
        Assert.True(selection.Target.Subset!.Selects(new Dictionary<string, string> { ["app"] = "reviews", ["version"] = subset }));
    }

    [Fact]
    public void RewriteApplies_ToTheParsedPath() =>
        Assert.Equal("/x?y=1", Route("GET /api/x?y=1 HTTP/1.1\r\nHost: r\r\n\r\n").RewritePath("/api/x?y=1"));

    [Fact]
    public void EngineNeedsOnlyTheMatchedHeaders() =>
        Assert.Equal(["end-user"], Table.ForHost("reviews.default.svc.cluster.local").RequiredHeaders);
}
