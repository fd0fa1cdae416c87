using Waylay.Proxy.Mesh.Tests.Lab;
using Waylay.TestKit;
using Xunit;

namespace Waylay.Proxy.Mesh.Tests.Routing;

/// <summary>
/// Istio's <c>HTTPMatchRequest</c> and route edits as Envoy applies them: routes in order, first match wins; uri exact
/// (path without query), prefix, regex (RE2-style full match), method, port; <c>rewrite.uri</c> replaces the matched
/// prefix and keeps the query; <c>headers.request</c> set/add/remove reach the app, <c>headers.response</c> edits reach
/// the client.
/// </summary>
public sealed class RouteMatchTests
{
    private static readonly string Rules = Lab.Rules.Join(
        """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata:
          name: reviews
          namespace: default
        spec:
          hosts: [reviews]
          http:
          - name: exact
            match: [{uri: {exact: /exact}}]
            route: [{destination: {host: reviews, subset: v1}}]
          - name: regex
            match: [{uri: {regex: "/re/[0-9]+"}}]
            route: [{destination: {host: reviews, subset: v2}}]
          - name: post
            match: [{method: {exact: POST}}]
            route: [{destination: {host: reviews, subset: v3}}]
          - name: rewrite
            match: [{uri: {prefix: /old/}}]
            rewrite: {uri: /new/}
            headers:
              request:
                set: {x-canary: "yes"}
                add: {x-added: one}
                remove: [x-secret]
              response:
                add: {x-route: rewrite}
            route: [{destination: {host: reviews, subset: v1}}]
          - name: other-port
            match: [{port: 9081}]
            route: [{destination: {host: reviews, subset: v3, port: {number: 9080}}}]
          - name: rest
            route: [{destination: {host: reviews, subset: v2}}]
        """,
        Lab.Rules.Subsets());

    [NetnsFact]
    public async Task MatchesInOrder_UriExactPrefixRegexMethodPort_RewriteAndHeaderEdits()
    {
        await using var lab = await ServiceLab.StartAsync(Rules, portDeclaration: "{name: http, port: 9080}\n  - {name: http-alt, port: 9081, targetPort: 9080}");
        using var client = lab.Client();

        async Task<string> VersionAsync(HttpMethod method, string url)
        {
            using var response = await client.SendAsync(new HttpRequestMessage(method, url));
            Assert.Equal(200, (int)response.StatusCode);
            return await response.Content.ReadAsStringAsync();
        }

        Assert.Equal("v1", await VersionAsync(HttpMethod.Get, "http://reviews:9080/exact"));
        Assert.Equal("v1", await VersionAsync(HttpMethod.Get, "http://reviews:9080/exact?q=1"));
        Assert.Equal("v2", await VersionAsync(HttpMethod.Get, "http://reviews:9080/exact/more"));
        Assert.Equal("v2", await VersionAsync(HttpMethod.Get, "http://reviews:9080/re/123"));
        Assert.Equal("v2", await VersionAsync(HttpMethod.Get, "http://reviews:9080/re/12a"));
        Assert.Equal("v3", await VersionAsync(HttpMethod.Post, "http://reviews:9080/re/12a"));
        Assert.Equal("v3", await VersionAsync(HttpMethod.Get, "http://reviews:9081/anything"));
        Assert.Equal("v1", await VersionAsync(HttpMethod.Post, "http://reviews:9080/exact"));

        using var request = new HttpRequestMessage(HttpMethod.Get, "http://reviews:9080/old/page?x=1");
        request.Headers.Add("x-secret", "do-not-forward");
        request.Headers.Add("x-canary", "no");
        using var rewritten = await client.SendAsync(request);
        Assert.Equal(200, (int)rewritten.StatusCode);
        Assert.Equal("rewrite", Assert.Single(rewritten.Headers.GetValues("x-route")));

        var served = Assert.Single(lab.Endpoint("v1").Served, r => r.PathAndQuery.StartsWith("/new/", StringComparison.Ordinal));
        Assert.Equal("/new/page?x=1", served.PathAndQuery);
        Assert.Equal("yes", served.Fields["x-canary"]);
        Assert.Equal("one", served.Fields["x-added"]);
        Assert.False(served.Fields.ContainsKey("x-secret"), "headers.request.remove: x-secret reached the app");
        Assert.DoesNotContain(lab.Endpoints.SelectMany(e => e.Served), r => r.PathAndQuery.StartsWith("/old/", StringComparison.Ordinal));
    }
}
