using Waylay.Proxy.Mesh.Tests.Lab;
using Waylay.TestKit;
using Xunit;

namespace Waylay.Proxy.Mesh.Tests.Telemetry;

/// <summary>
/// Istio's standard metrics (telemetry v2's names and labels, what its Grafana dashboards and Kiali query), counted
/// by both sidecars of each exchange: the client's with <c>reporter="source"</c>, the server's with
/// <c>reporter="destination"</c>, on the admin page and on :15090 as Istio's Prometheus annotations scrape it. A known
/// run (37 successes, 5 app 404s) must be counted exactly, and each sidecar's access log must hold one line per request.
/// </summary>
public sealed class MetricsTests
{
    private const string Service = "reviews.default.svc.cluster.local";

    [NetnsFact]
    public async Task KnownRun_ExactRequestCounts_OnBothSidecars_AdminAnd15090_OneLogLinePerRequestEachSide()
    {
        await using var pair = await SidecarPair.StartAsync(accessLogs: true);
        using var client = pair.HttpClient();
        for (var i = 0; i < 37; i++)
        {
            using var response = await client.GetAsync($"http://reviews:9080/ok/{i}");
            Assert.Equal(200, (int)response.StatusCode);
        }

        for (var i = 0; i < 5; i++)
        {
            using var response = await client.GetAsync("http://reviews:9080/status/404");
            Assert.Equal(404, (int)response.StatusCode);
        }

        var source = await ScrapeWhenAsync(pair.Client.Namespace, 15000, ("reporter", "source"), 42);
        var destination = await ScrapeWhenAsync(pair.Server.Namespace, 15000, ("reporter", "destination"), 42);

        foreach (var (scrape, reporter) in new[] { (source, "source"), (destination, "destination") })
        {
            var ok = scrape.Sum("istio_requests_total", ("reporter", reporter), ("response_code", "200"));
            var notFound = scrape.Sum("istio_requests_total", ("reporter", reporter), ("response_code", "404"));
            Assert.True(ok == 37, $"{reporter}: {ok} requests with 200, expected 37:{Environment.NewLine}{scrape.Family("istio_requests_total")}");
            Assert.True(notFound == 5, $"{reporter}: {notFound} requests with 404, expected 5:{Environment.NewLine}{scrape.Family("istio_requests_total")}");
            Assert.Equal(37, scrape.Sum("istio_requests_total", ("reporter", reporter), ("response_code", "200"), ("destination_service", Service)));
            Assert.Equal(37, scrape.Sum("istio_request_duration_milliseconds_count", ("reporter", reporter), ("response_code", "200")));
            Assert.Equal(37, scrape.Sum("istio_request_bytes_count", ("reporter", reporter), ("response_code", "200")));
            Assert.Equal(37, scrape.Sum("istio_response_bytes_count", ("reporter", reporter), ("response_code", "200")));
            Assert.Equal(37, scrape.Sum("istio_request_duration_milliseconds_bucket", ("reporter", reporter), ("response_code", "200"), ("le", "+Inf")));
            Assert.True(scrape.Sum("istio_response_bytes_sum", ("reporter", reporter), ("response_code", "200")) >= 37 * 2, "each 200 carried a 2-byte body (\"v1\")");
        }

        // The labels dashboards group by: who called whom, which version answered.
        var labelled = Assert.Single(source.Select("istio_requests_total", ("reporter", "source"), ("response_code", "200")));
        Assert.Equal("productpage-v1", labelled.Labels["source_workload"]);
        Assert.Equal("default", labelled.Labels["source_workload_namespace"]);
        Assert.Equal("reviews-v1", labelled.Labels["destination_workload"]);
        Assert.Equal("v1", labelled.Labels["destination_version"]);
        Assert.Equal("reviews", labelled.Labels["destination_service_name"]);
        Assert.Equal("default", labelled.Labels["destination_service_namespace"]);
        Assert.Equal("http", labelled.Labels["request_protocol"]);
        Assert.Equal("-", labelled.Labels["response_flags"]);
        var inbound = Assert.Single(destination.Select("istio_requests_total", ("reporter", "destination"), ("response_code", "200")));
        Assert.Equal("reviews-v1", inbound.Labels["destination_workload"]);
        Assert.Equal("v1", inbound.Labels["destination_version"]);

        // :15090 serves the same page Istio's prometheus.io annotations point at.
        var port15090 = await PrometheusScrape.FetchAsync(pair.Client.Namespace, 15090);
        Assert.Equal(37, port15090.Sum("istio_requests_total", ("reporter", "source"), ("response_code", "200")));

        // One access-log line per request on each side, each with its path and status.
        foreach (var log in new[] { pair.ClientLog!, pair.ServerLog! })
        {
            await Wait.UntilAsync(() => AccessLogLine.ReadAll(log).Count >= 42, "42 access-log lines", lastSeen: () => string.Join(Environment.NewLine, log.CompleteLines()));
            var lines = AccessLogLine.ReadAll(log);
            Assert.Equal(42, lines.Count);
            for (var i = 0; i < 37; i++)
            {
                var line = Assert.Single(lines, l => l.Path == $"/ok/{i}");
                Assert.Equal(("GET", 200, "-"), (line.Method, line.ResponseCode, line.ResponseFlags));
            }

            Assert.Equal(5, lines.Count(l => l.Path == "/status/404" && l.ResponseCode == 404));
        }
    }

    /// <summary>Scrapes until the reporter's request count reaches <paramref name="expected"/> (the last request may still be finishing), then once more.</summary>
    private static async Task<PrometheusScrape> ScrapeWhenAsync(TestNamespace ns, ushort port, (string, string) reporter, int expected)
    {
        PrometheusScrape? last = null;
        await Wait.UntilAsync(async () =>
        {
            last = await PrometheusScrape.FetchAsync(ns, port);
            return last.Sum("istio_requests_total", reporter) >= expected;
        }, $"istio_requests_total{{{reporter.Item1}=\"{reporter.Item2}\"}} to reach {expected}", lastSeen: () => Task.FromResult(last?.Family("istio_requests") ?? "no scrape"));
        return await PrometheusScrape.FetchAsync(ns, port);
    }
}
