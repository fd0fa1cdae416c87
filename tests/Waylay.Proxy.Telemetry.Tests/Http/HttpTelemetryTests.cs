using System.Net;
using Microsoft.Extensions.Time.Testing;
using Waylay.Proxy.Http.Headers;
using Waylay.Proxy.Telemetry.Http;
using Xunit;
using Waylay.Proxy.Configuration;
using Waylay.Proxy.Connections;

namespace Waylay.Proxy.Telemetry.Tests.Http;

/// <summary>The forwarder's one call at the end of a request: metrics, access log and span agree on what happened.</summary>
public sealed class HttpTelemetryTests
{
    private static readonly IstioLabels Labels = new(Reporter.Source, new IstioPeer("productpage-v1", "default", "productpage", "v1"),
        new IstioPeer("reviews-v1", "default", "reviews", "v1"), "reviews.default.svc.cluster.local", "reviews", "default");

    [Fact]
    public async Task ASampledRequest_IsCounted_Logged_AndTraced_WithTheSameIds()
    {
        using var collector = new TestCollector();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 13, 37, 2, TimeSpan.Zero));
        Assert.True(ZipkinOptions.TryParseAddress(collector.Address, out var url, out _));
        var zipkin = new ZipkinExporter(new ZipkinOptions { Collector = url!, BatchSize = 1 }, time);
        var output = new StringWriter();
        var accessLog = new AccessLog(output, AccessLogFormat.Json);
        using var metrics = new IstioMetrics();
        var telemetry = new HttpTelemetry(metrics, accessLog, zipkin, new ZipkinEndpoint("productpage.default", IPAddress.Parse("10.244.1.5")));
        var labels = metrics.Intern(Labels);

        foreach (var sampling in (double[])[100, 0])
        {
            var head = Wire.Parse("GET /reviews/0 HTTP/1.1\r\nHost: reviews:9080\r\nUser-Agent: curl/8.5.0\r\n\r\n");
            var fields = new RequestDecorator(new RequestDecoratorOptions { SamplingPercentage = sampling }, new Random(7))
                .Decorate(head, SpanKind.Client, "10.244.1.5");
            var start = time.GetUtcNow();
            time.Advance(TimeSpan.FromMilliseconds(12));
            telemetry.RequestCompleted(new CompletedRequest
            {
                Labels = labels,
                Duration = TimeSpan.FromMilliseconds(12),
                Trace = fields.Trace,
                Kind = SpanKind.Client,
                SharedSpan = fields.SharesCallerSpan,
                SpanName = "reviews.default.svc.cluster.local:9080/*",
                RemoteEndpoint = new ZipkinEndpoint(null, IPAddress.Parse("10.244.2.7"), 9080),
                Log = new AccessLogEntry
                {
                    StartTime = start,
                    Request = head,
                    GeneratedRequestId = fields.GeneratedRequestId,
                    AppendedForwardedFor = fields.AppendedForwardedFor,
                    ResponseCode = 200,
                    BytesSent = 295,
                    DurationMilliseconds = 12,
                    UpstreamCluster = "outbound|9080|v1|reviews.default.svc.cluster.local",
                    DownstreamRemoteAddress = "10.244.1.5:51234",
                },
            });

            if (sampling == 100)
            {
                var trace = fields.Trace!.Value;
                var body = (await collector.NextAsync()).Body;
                Assert.StartsWith($"[{{\"traceId\":\"{trace.TraceIdHex()}\",\"id\":\"{trace.SpanId:x16}\",\"kind\":\"CLIENT\"", body);
                Assert.Contains("\"timestamp\":1795613822000000,\"duration\":12000,", body);
                Assert.Contains($"\"guid:x-request-id\":\"{fields.GeneratedRequestId}\"", body);
                Assert.Contains("\"http.url\":\"http://reviews:9080/reviews/0\"", body);
                Assert.Contains("\"peer.address\":\"10.244.1.5\"", body);
                Assert.Contains("\"remoteEndpoint\":{\"ipv4\":\"10.244.2.7\",\"port\":9080}", body);
            }
        }

        await accessLog.DisposeAsync();
        await zipkin.DisposeAsync();

        Assert.Equal(1, zipkin.Sent); // the unsampled request made no span
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.All(lines, line => Assert.Contains("\"x_forwarded_for\":\"10.244.1.5\"", line));
        Assert.Contains("istio_requests_total{reporter=\"source\",", metrics.RenderPrometheus());
        Assert.Contains("response_flags=\"-\",connection_security_policy=\"none\"} 2\n", metrics.RenderPrometheus());
        Assert.Contains("istio_request_duration_milliseconds_bucket{reporter=\"source\",", metrics.RenderPrometheus());
        Assert.Contains(",le=\"25\"} 2\n", metrics.RenderPrometheus());
    }

    [Fact]
    public async Task AccessLogWrite_OnTheRequestThread_AllocatesNothing()
    {
        var accessLog = new AccessLog(TextWriter.Null, AccessLogFormat.Text, capacity: 100_000);
        var head = Wire.Parse("GET /reviews/0 HTTP/1.1\r\nHost: reviews:9080\r\nUser-Agent: curl/8.5.0\r\nX-Request-Id: r-1\r\nX-Forwarded-For: 10.0.0.1\r\n\r\n");
        var entry = new AccessLogEntry
        {
            StartTime = DateTimeOffset.UnixEpoch,
            Request = head,
            AppendedForwardedFor = "10.244.1.5",
            ResponseCode = 503,
            Flags = ResponseFlags.UpstreamConnectionFailure,
            UpstreamCluster = "outbound|9080||reviews.default.svc.cluster.local",
            DownstreamRemoteAddress = "10.244.1.5:51234",
        };
        for (var i = 0; i < 2000; i++)
        {
            accessLog.Write(entry);
        }

        // Formatting goes into pooled buffers the writer gives back: nothing per line once the pool is warm. A batch
        // can still meet a one-off growth that is not the line's (the channel's queue or the thread pool's growing
        // while the writer thread waits for a core on a loaded machine), so the batch is measured up to five times:
        // an allocation made per line shows in every one of them.
        var written = 2000L;
        var perLine = new List<long>();
        for (var batch = 0; batch < 5 && (perLine.Count == 0 || perLine[^1] != 0); batch++)
        {
            for (var i = 0; i < 3000 && accessLog.Written < written; i++)
            {
                await Task.Delay(10); // let the writer give the buffers back
            }

            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 1000; i++)
            {
                accessLog.Write(entry);
            }

            perLine.Add((GC.GetAllocatedBytesForCurrentThread() - before) / 1000);
            written += 1000;
        }

        await accessLog.DisposeAsync();
        Assert.Equal(written, accessLog.Written);
        Assert.True(perLine[^1] == 0, $"bytes per line in each batch of 1000: {string.Join(", ", perLine)}");
    }

    [Theory]
    [InlineData("10.0.0.1:5000", "10.0.0.1")]
    [InlineData("[fd00::1]:5000", "fd00::1")]
    [InlineData("not an address", "not an address")]
    public void PeerAddress_IsTheIpAlone(string address, string peer) => Assert.Equal(peer, HttpTelemetry.HostOf(address));
}
