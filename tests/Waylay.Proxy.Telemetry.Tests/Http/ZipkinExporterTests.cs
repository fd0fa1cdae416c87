using System.Net;
using Microsoft.Extensions.Time.Testing;
using Waylay.Proxy.Http.Headers;
using Waylay.Proxy.Telemetry.Http;
using Xunit;

namespace Waylay.Proxy.Telemetry.Tests.Http;

public sealed class ZipkinExporterTests : IDisposable
{
    private readonly TestCollector _collector = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 13, 37, 2, TimeSpan.Zero));

    public void Dispose() => _collector.Dispose();

    private ZipkinExporter Exporter(int batch = 2, int capacity = 64)
    {
        Assert.True(ZipkinOptions.TryParseAddress(_collector.Address, out var collector, out _));
        return new ZipkinExporter(new ZipkinOptions
        {
            Collector = collector!,
            BatchSize = batch,
            QueueCapacity = capacity,
            FlushInterval = TimeSpan.FromSeconds(5),
            RequestTimeout = TimeSpan.FromSeconds(30),
            ShutdownDeadline = TimeSpan.FromSeconds(10),
        }, _time);
    }

    private static ZipkinSpan Client(ulong spanId, int status = 200) => new()
    {
        Context = new TraceContext(0x80f198ee56343ba8, 0x64fe8b2a57d3eff7, spanId, 0xe457b5a2e4d86bd1, true, false),
        Kind = SpanKind.Client,
        Name = "reviews.default.svc.cluster.local:9080/*",
        Start = new DateTimeOffset(2026, 11, 25, 13, 37, 2, 123, TimeSpan.Zero).AddTicks(4560),
        Duration = TimeSpan.FromMicroseconds(26789),
        LocalEndpoint = new ZipkinEndpoint("productpage.default", IPAddress.Parse("10.244.1.5")),
        RemoteEndpoint = new ZipkinEndpoint(null, IPAddress.Parse("10.244.1.7"), 9080),
        Method = "GET",
        Url = "http://reviews:9080/reviews/0?a=1&b=<2>",
        Protocol = "HTTP/1.1",
        StatusCode = status,
        UpstreamCluster = "outbound|9080|v2|reviews.default.svc.cluster.local",
        RequestId = "5f1c8c0e-3b9a-4d6e-9f00-0123456789ab",
        UserAgent = "curl/8.5.0",
        PeerAddress = "10.244.1.5",
        RequestSize = 0,
        ResponseSize = 295,
    };

    private static string ClientJson(string spanId, string status = "200", string error = "") =>
        "{\"traceId\":\"80f198ee56343ba864fe8b2a57d3eff7\",\"parentId\":\"e457b5a2e4d86bd1\",\"id\":\"" + spanId + "\",\"kind\":\"CLIENT\"," +
        "\"name\":\"reviews.default.svc.cluster.local:9080/*\",\"timestamp\":1795613822123456,\"duration\":26789," +
        "\"localEndpoint\":{\"serviceName\":\"productpage.default\",\"ipv4\":\"10.244.1.5\"}," +
        "\"remoteEndpoint\":{\"ipv4\":\"10.244.1.7\",\"port\":9080}," +
        "\"tags\":{\"component\":\"proxy\"," + error + "\"guid:x-request-id\":\"5f1c8c0e-3b9a-4d6e-9f00-0123456789ab\",\"http.method\":\"GET\"," +
        "\"http.protocol\":\"HTTP/1.1\",\"http.status_code\":\"" + status + "\",\"http.url\":\"http://reviews:9080/reviews/0?a=1&b=<2>\"," +
        "\"peer.address\":\"10.244.1.5\",\"request_size\":\"0\",\"response_flags\":\"-\",\"response_size\":\"295\"," +
        "\"upstream_cluster\":\"outbound|9080|v2|reviews.default.svc.cluster.local\",\"user_agent\":\"curl/8.5.0\"}}";

    [Fact]
    public async Task AFullBatch_IsPostedAtOnce_AsZipkinV2Json()
    {
        await using var exporter = Exporter(batch: 2);
        exporter.Report(Client(0x1111111111111111));
        exporter.Report(Client(0x2222222222222222, status: 503));

        var received = await _collector.NextAsync();
        Assert.Equal("POST", received.Method);
        Assert.Equal("/api/v2/spans", received.Path);
        Assert.Equal("application/json", received.ContentType);
        Assert.Equal("[" + ClientJson("1111111111111111") + "," + ClientJson("2222222222222222", "503", "\"error\":\"true\",") + "]", received.Body);
    }

    [Fact]
    public async Task AFewSpans_AreSentWhenTheFlushIntervalPasses()
    {
        await using var exporter = Exporter(batch: 5);
        exporter.Report(Client(0x1111111111111111));
        Assert.False(_collector.TryNext(out _));

        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal("[" + ClientJson("1111111111111111") + "]", (await _collector.NextAsync()).Body);
        await WaitForAsync(() => exporter.Sent == 1);
        Assert.Equal(1, exporter.Batches);
    }

    [Fact]
    public async Task ServerSpan_WithSharedContext_AndRootIds_Serialize()
    {
        await using var exporter = Exporter(batch: 1);
        exporter.Report(new ZipkinSpan
        {
            Context = new TraceContext(0, 0x64fe8b2a57d3eff7, 0x64fe8b2a57d3eff7, 0, true, true),
            Kind = SpanKind.Server,
            Shared = true,
            Name = "productpage.default.svc.cluster.local:9080/*",
            Start = DateTimeOffset.UnixEpoch.AddSeconds(1),
            Duration = TimeSpan.Zero,
            LocalEndpoint = new ZipkinEndpoint("productpage.default", IPAddress.Parse("fd00:244::5")),
            StatusCode = 0,
        });

        Assert.Equal(
            "[{\"traceId\":\"64fe8b2a57d3eff7\",\"id\":\"64fe8b2a57d3eff7\",\"kind\":\"SERVER\",\"name\":\"productpage.default.svc.cluster.local:9080/*\"," +
            "\"timestamp\":1000000,\"duration\":1,\"debug\":true,\"shared\":true,\"localEndpoint\":{\"serviceName\":\"productpage.default\",\"ipv6\":\"fd00:244::5\"}," +
            "\"tags\":{\"component\":\"proxy\",\"error\":\"true\",\"http.status_code\":\"0\",\"request_size\":\"0\",\"response_flags\":\"-\",\"response_size\":\"0\"}}]",
            (await _collector.NextAsync()).Body);
    }

    [Fact]
    public async Task AFailedPost_IsRetriedOnce_ThenTheBatchIsDroppedAndCounted()
    {
        await using var exporter = Exporter(batch: 1);
        _collector.AnswerNext(503, 500, 500, 500);

        exporter.Report(Client(0x1111111111111111)); // 503, then retried: 500 → dropped
        var first = await _collector.NextAsync();
        var retry = await _collector.NextAsync();
        Assert.Equal(first.Body, retry.Body);
        await WaitForAsync(() => exporter.Failed == 1);

        exporter.Report(Client(0x2222222222222222)); // 500, then retried: 500 → dropped
        await _collector.NextAsync();
        await _collector.NextAsync();
        await WaitForAsync(() => exporter.Failed == 2);

        exporter.Report(Client(0x3333333333333333)); // the collector is back: 202
        Assert.Contains("3333333333333333", (await _collector.NextAsync()).Body);
        await WaitForAsync(() => exporter.Sent == 1);
        Assert.Equal(2, exporter.Failed);
    }

    [Fact]
    public async Task ASucceedingRetry_DeliversTheBatch()
    {
        await using var exporter = Exporter(batch: 1);
        _collector.AnswerNext(500);
        exporter.Report(Client(0x1111111111111111));
        await _collector.NextAsync();
        await _collector.NextAsync();
        await WaitForAsync(() => exporter.Sent == 1);
        Assert.Equal(0, exporter.Failed);
    }

    [Fact]
    public async Task AFullQueue_DropsAndCounts_WithoutWaiting()
    {
        await using var exporter = Exporter(batch: 100, capacity: 3);
        var accepted = Enumerable.Range(1, 5).Select(i => exporter.Report(Client((ulong)i))).ToArray();

        Assert.Equal([true, true, true, false, false], accepted);
        Assert.Equal(2, exporter.Dropped);
        Assert.Equal(3, exporter.Pending);
    }

    [Fact]
    public async Task Shutdown_SendsWhatIsQueued()
    {
        var exporter = Exporter(batch: 10);
        exporter.Report(Client(0x1111111111111111));
        exporter.Report(Client(0x2222222222222222));

        await exporter.DisposeAsync();

        var received = await _collector.NextAsync();
        Assert.Contains("1111111111111111", received.Body);
        Assert.Contains("2222222222222222", received.Body);
        Assert.Equal(2, exporter.Sent);
    }

    [Fact]
    public async Task Shutdown_GivesUpAtTheDeadline_WhenTheCollectorHangs()
    {
        var hold = new TaskCompletionSource();
        _collector.Hold = hold;
        var exporter = Exporter(batch: 1);
        exporter.Report(Client(0x1111111111111111));
        await _collector.NextAsync(); // the POST is in flight and will not be answered
        exporter.Report(Client(0x2222222222222222));

        var stopping = exporter.DisposeAsync().AsTask();
        Assert.False(stopping.IsCompleted);
        while (!stopping.IsCompleted)
        {
            _time.Advance(TimeSpan.FromSeconds(10)); // the shutdown deadline, on the injected clock
            await Task.WhenAny(stopping, Task.Delay(20));
        }

        await stopping;
        hold.SetResult();
        Assert.Equal(0, exporter.Sent);
        Assert.Equal(2, exporter.Failed);
    }

    [Theory]
    [InlineData("zipkin.istio-system:9411", "http://zipkin.istio-system:9411/api/v2/spans")]
    [InlineData("127.0.0.1:9411", "http://127.0.0.1:9411/api/v2/spans")]
    [InlineData("[::1]:9411", "http://[::1]:9411/api/v2/spans")]
    public void Address_IsHostColonPort(string flag, string url)
    {
        Assert.True(ZipkinOptions.TryParseAddress(flag, out var collector, out var error));
        Assert.Null(error);
        Assert.Equal(url, collector!.ToString());
    }

    [Theory]
    [InlineData("zipkin")]
    [InlineData("zipkin:0")]
    [InlineData(":9411")]
    [InlineData("::1:9411")]
    [InlineData("http://zipkin:9411")]
    public void Address_Malformed_NamesTheFlag(string flag)
    {
        Assert.False(ZipkinOptions.TryParseAddress(flag, out _, out var error));
        Assert.Contains("--zipkinAddress", error);
    }

    /// <summary>Counters move on the exporter's task after the collector answered; wait for them (no time asserted).</summary>
    private static async Task WaitForAsync(Func<bool> condition)
    {
        for (var i = 0; i < 3000 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition());
    }
}
