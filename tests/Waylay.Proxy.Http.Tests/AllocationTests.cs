using Waylay.Mesh.Networking;
using Waylay.Proxy.Http.Http1;
using Waylay.Proxy.Routing;
using Xunit;

namespace Waylay.Proxy.Http.Tests;

/// <summary>
/// The hot path's allocation budget, measured in bytes on this thread (not time): a parsed request costs its path
/// string and nothing per header; choosing a route costs nothing.
/// </summary>
public sealed class AllocationTests
{
    private const int Rounds = 200;

    [Fact]
    public void ParsingAHead_AllocatesOnlyThePath()
    {
        var wire = Bytes.Sequence(
            "GET /reviews/0 HTTP/1.1\r\nHost: reviews:9080\r\nUser-Agent: curl/8.5\r\nAccept: */*\r\nX-Request-Id: 5f1c\r\n" +
            "Traceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01\r\nEnd-User: jason\r\nConnection: keep-alive\r\n\r\n");
        var parser = new Http1RequestParser();
        for (var i = 0; i < 1000; i++)
        {
            parser.TryParse(wire, out _, out _, out _);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Rounds; i++)
        {
            parser.TryParse(wire, out _, out _, out _);
        }

        var perRequest = (GC.GetAllocatedBytesForCurrentThread() - before) / Rounds;
        Assert.Equal(7, parser.Head.FieldCount);
        Assert.True(perRequest <= 64, $"{perRequest} bytes per request; \"/reviews/0\" alone is ~42");
    }

    [Fact]
    public void SelectingARoute_AllocatesNothing()
    {
        var routes = HttpRouteTable.Build(NetworkingReader.Read("""
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: reviews}
            spec:
              hosts: [reviews]
              http:
              - match: [{headers: {end-user: {exact: jason}}}, {uri: {regex: "/v[0-9]+/.*"}}]
                route: [{destination: {host: reviews, subset: v2}}]
              - route:
                - {destination: {host: reviews, subset: v1}, weight: 50}
                - {destination: {host: reviews, subset: v3}, weight: 50}
            """)).ForHost("reviews.default.svc.cluster.local");
        var request = new RouteRequest("GET", "/reviews/0?x=1", 9080, new ConstantHeaders());
        var random = new Random(1);
        for (var i = 0; i < 1000; i++)
        {
            routes.Select(request, random);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Rounds; i++)
        {
            routes.Select(request, random);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private sealed class ConstantHeaders : IRequestHeaders
    {
        public string? Get(string lowerCaseName) => lowerCaseName == "end-user" ? "mary" : null;
    }
}
