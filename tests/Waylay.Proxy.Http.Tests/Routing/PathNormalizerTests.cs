using Waylay.Proxy.Routing;
using Xunit;

namespace Waylay.Proxy.Http.Tests.Routing;

public sealed class PathNormalizerTests
{
    [Theory]
    [InlineData("/public/../admin", "/admin")]
    [InlineData("/a/./b", "/a/b")]
    [InlineData("/a/b/..", "/a/")]
    [InlineData("/a/.", "/a/")]
    [InlineData("/..", "/")]
    [InlineData("/../../etc/passwd", "/etc/passwd")]
    [InlineData("/a/%2e%2E/admin", "/admin")]
    [InlineData("/a/%2E/b", "/a/b")]
    [InlineData("/a\\..\\admin", "/admin")]
    [InlineData("/x%2fy%3a", "/x%2Fy%3A")]
    [InlineData("/a/../b?x=/../y", "/b?x=/../y")]
    [InlineData("/a//b", "/a//b")]
    [InlineData("/a/..b/c", "/a/..b/c")]
    [InlineData("/.well-known/x", "/.well-known/x")]
    [InlineData("/%zz/../a", "/a")]
    public void Paths_AreNormalizedLikeIstiosBase(string path, string normalized) => Assert.Equal(normalized, PathNormalizer.Normalize(path));

    [Theory]
    [InlineData("/reviews/0?a=../b")]
    [InlineData("/a/b.c/d")]
    [InlineData("*")]
    [InlineData("/%2F")]
    public void CanonicalPaths_AreReturnedAsTheSameString(string path) => Assert.Same(path, PathNormalizer.Normalize(path));

    [Fact]
    public void NormalizedPath_IsWhatRoutesMatch()
    {
        var table = HttpRouteTable.Build(Waylay.Mesh.Networking.NetworkingReader.Read("""
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: r}
            spec:
              hosts: [reviews]
              http:
              - match: [{uri: {prefix: /admin}}]
                fault: {abort: {httpStatus: 403, percentage: {value: 100}}}
                route: [{destination: {host: reviews}}]
              - route: [{destination: {host: reviews}}]
            """)).ForHost("reviews.default.svc.cluster.local");
        var path = PathNormalizer.Normalize("/public/%2e%2e/admin/users");
        var selection = table.Select(new RouteRequest("GET", path, 9080, new NoHeaders()), new Random(1));
        Assert.Equal(403, selection.DecideFault(new Random(1)).AbortStatus);
    }

    private sealed class NoHeaders : IRequestHeaders
    {
        public string? Get(string lowerCaseName) => null;
    }
}
