using System.Text;
using Waylay.Proxy.Mesh.Tests.Lab;
using Waylay.TestKit;
using Xunit;

namespace Waylay.Proxy.Mesh.Tests.Telemetry;

/// <summary>
/// Envoy's access log as Istio turns it on (<c>accessLogFile</c>, <c>accessLogEncoding: TEXT|JSON</c>): exactly one
/// line per request, written when the request ends, with method, path, status, response flag ("-" when none, NR for
/// no route), the authority as the app sent it and the endpoint that answered; in JSON under Istio's keys.
/// </summary>
public sealed class AccessLogTests
{
    private const string OnlyApi = """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata:
          name: reviews
          namespace: default
        spec:
          hosts: [reviews]
          http:
          - match: [{uri: {prefix: /log}}]
            route: [{destination: {host: reviews}}]
        """;

    [NetnsTheory]
    [InlineData("text")]
    [InlineData("json")]
    public async Task OneLinePerRequest_WithMethodPathStatusFlagAuthorityAndUpstream(string format)
    {
        await using var lab = await ServiceLab.StartAsync(OnlyApi, accessLog: true, proxyArguments: ["--access-log-format", format]);
        using var client = lab.Client(maxConnections: 2);

        for (var i = 0; i < 25; i++)
        {
            using var response = await client.GetAsync(ServiceLab.Url($"/log/{i}"));
            Assert.Equal(200, (int)response.StatusCode);
        }

        using (var post = await client.PostAsync(ServiceLab.Url("/log/post"), new ByteArrayContent(Encoding.ASCII.GetBytes("seventeen bytes!!"))))
        {
            Assert.Equal(200, (int)post.StatusCode);
        }

        for (var i = 0; i < 3; i++)
        {
            using var response = await client.GetAsync(ServiceLab.Url($"/nope/{i}"));
            Assert.Equal(404, (int)response.StatusCode);
        }

        var log = lab.AccessLog!;
        await Wait.UntilAsync(() => AccessLogLine.ReadAll(log).Count >= 29, "29 access-log lines", lastSeen: () => string.Join(Environment.NewLine, log.CompleteLines()));
        var lines = AccessLogLine.ReadAll(log);
        Assert.Equal(29, lines.Count);
        if (format == "json")
        {
            Assert.All(lines, l => Assert.StartsWith("{", l.Raw));
        }

        var endpoints = lab.Endpoints.Select(e => e.EndPoint.ToString()).ToHashSet();
        for (var i = 0; i < 25; i++)
        {
            var line = Assert.Single(lines, l => l.Path == $"/log/{i}");
            Assert.Equal(("GET", 200, "-", "reviews:9080"), (line.Method, line.ResponseCode, line.ResponseFlags, line.Authority));
            Assert.Contains(line.UpstreamHost, endpoints);
            Assert.Contains("reviews.default.svc.cluster.local", line.UpstreamCluster);
        }

        var posted = Assert.Single(lines, l => l.Path == "/log/post");
        Assert.Equal(("POST", 200), (posted.Method, posted.ResponseCode));
        for (var i = 0; i < 3; i++)
        {
            var line = Assert.Single(lines, l => l.Path == $"/nope/{i}");
            Assert.Equal(("GET", 404, "NR"), (line.Method, line.ResponseCode, line.ResponseFlags));
        }
    }
}
