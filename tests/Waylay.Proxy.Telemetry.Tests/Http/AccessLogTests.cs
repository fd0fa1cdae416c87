using System.Text;
using Waylay.Proxy.Telemetry.Http;
using Xunit;
using Waylay.Proxy.Configuration;
using Waylay.Proxy.Connections;

namespace Waylay.Proxy.Telemetry.Tests.Http;

public sealed class AccessLogTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 25, 13, 37, 2, 123, TimeSpan.Zero);

    private static AccessLogEntry Forwarded(string head) => new()
    {
        StartTime = Start,
        Request = Wire.Parse(head),
        GeneratedRequestId = "5f1c8c0e-3b9a-4d6e-9f00-0123456789ab",
        AppendedForwardedFor = "10.244.1.5",
        ResponseCode = 200,
        BytesReceived = 0,
        BytesSent = 1683,
        DurationMilliseconds = 27,
        UpstreamServiceTimeMilliseconds = 26,
        UpstreamHost = "10.244.1.7:9080",
        UpstreamCluster = "outbound|9080||productpage.default.svc.cluster.local",
        UpstreamLocalAddress = "10.244.1.5:45678",
        DownstreamLocalAddress = "10.96.0.12:9080",
        DownstreamRemoteAddress = "10.244.1.5:51234",
        RouteName = "default",
    };

    private const string Head = "GET /productpage?u=1 HTTP/1.1\r\nHost: productpage:9080\r\nUser-Agent: curl/8.5.0\r\n" +
        "X-Forwarded-For: 10.0.0.9\r\nX-Forwarded-For: 10.0.0.10\r\n\r\n";

    [Fact]
    public void Text_IsEnvoysDefaultLine_WithIstiosAdditions()
    {
        Assert.Equal(
            "[2026-11-25T13:37:02.123Z] \"GET /productpage?u=1 HTTP/1.1\" 200 - 0 1683 27 26 \"10.0.0.9,10.0.0.10,10.244.1.5\" " +
            "\"curl/8.5.0\" \"5f1c8c0e-3b9a-4d6e-9f00-0123456789ab\" \"productpage:9080\" \"10.244.1.7:9080\" " +
            "outbound|9080||productpage.default.svc.cluster.local 10.244.1.5:45678 10.96.0.12:9080 10.244.1.5:51234 - default\n",
            AccessLog.FormatLine(Forwarded(Head), AccessLogFormat.Text));
    }

    [Fact]
    public void Text_ReceivedRequestId_AndOriginalPath_WinOverTheProxysValues()
    {
        var head = "POST http://reviews:9080/v2/r HTTP/1.0\r\nX-Request-Id: r-77\r\nX-Envoy-Original-Path: /r\r\n\r\n";
        var entry = Forwarded(head) with { AppendedForwardedFor = null, UpstreamServiceTimeMilliseconds = null };

        Assert.StartsWith(
            "[2026-11-25T13:37:02.123Z] \"POST /r HTTP/1.0\" 200 - 0 1683 27 - \"-\" \"-\" \"r-77\" \"reviews:9080\" ",
            AccessLog.FormatLine(entry, AccessLogFormat.Text));
    }

    [Fact]
    public void Text_SyntheticNoRoute_HasDashesForWhatNeverHappened()
    {
        var entry = new AccessLogEntry
        {
            StartTime = Start,
            Request = Wire.Parse("GET /nope HTTP/1.1\r\nHost: ratings:9080\r\nX-Request-Id: r-1\r\n\r\n"),
            ResponseCode = 404,
            Flags = ResponseFlags.NoRouteFound,
            DurationMilliseconds = 0,
            DownstreamLocalAddress = "10.96.0.20:9080",
            DownstreamRemoteAddress = "10.244.1.5:40000",
        };

        Assert.Equal(
            "[2026-11-25T13:37:02.123Z] \"GET /nope HTTP/1.1\" 404 NR 0 0 0 - \"-\" \"-\" \"r-1\" \"ratings:9080\" \"-\" - - 10.96.0.20:9080 10.244.1.5:40000 - -\n",
            AccessLog.FormatLine(entry, AccessLogFormat.Text));
    }

    [Fact]
    public void Text_WithoutAHead_UsesTheStringValues()
    {
        var entry = new AccessLogEntry
        {
            StartTime = Start,
            Method = "POST",
            Path = "/reviews.Reviews/Get",
            Protocol = "HTTP/2",
            Authority = "reviews:9080",
            UserAgent = "grpc-go/1.60",
            RequestId = "r-9",
            ForwardedFor = "10.0.0.1",
            AppendedForwardedFor = "10.244.1.5",
            ResponseCode = 200,
            Flags = ResponseFlags.UpstreamRetryLimitExceeded | ResponseFlags.UpstreamConnectionFailure,
        };

        Assert.Equal(
            "[2026-11-25T13:37:02.123Z] \"POST /reviews.Reviews/Get HTTP/2\" 200 UF,URX 0 0 0 - \"10.0.0.1,10.244.1.5\" \"grpc-go/1.60\" \"r-9\" \"reviews:9080\" \"-\" - - - - - -\n",
            AccessLog.FormatLine(entry, AccessLogFormat.Text));
    }

    [Fact]
    public void Json_UsesIstiosKeys_NumbersAsNumbers_AbsentAsNull_Escaped()
    {
        var head = "GET /p HTTP/1.1\r\nHost: productpage:9080\r\nUser-Agent: a \"quoted\" \\ agent\r\nX-Request-Id: r-1\r\n\r\n";
        var entry = Forwarded(head) with { AppendedForwardedFor = null, Flags = ResponseFlags.UpstreamRequestTimeout, ResponseCode = 504, UpstreamServiceTimeMilliseconds = null };

        Assert.Equal(
            "{\"authority\":\"productpage:9080\",\"bytes_received\":0,\"bytes_sent\":1683,\"downstream_local_address\":\"10.96.0.12:9080\"," +
            "\"downstream_remote_address\":\"10.244.1.5:51234\",\"duration\":27,\"method\":\"GET\",\"path\":\"/p\",\"protocol\":\"HTTP/1.1\"," +
            "\"request_id\":\"r-1\",\"requested_server_name\":null,\"response_code\":504,\"response_flags\":\"UT\",\"route_name\":\"default\"," +
            "\"start_time\":\"2026-11-25T13:37:02.123Z\",\"upstream_cluster\":\"outbound|9080||productpage.default.svc.cluster.local\"," +
            "\"upstream_host\":\"10.244.1.7:9080\",\"upstream_local_address\":\"10.244.1.5:45678\",\"upstream_service_time\":null," +
            "\"user_agent\":\"a \\\"quoted\\\" \\\\ agent\",\"x_forwarded_for\":null}\n",
            AccessLog.FormatLine(entry, AccessLogFormat.Json));
    }

    [Fact]
    public async Task Background_WritesOneLinePerRequest_InOrder()
    {
        var output = new StringWriter { NewLine = "\n" };
        var log = new AccessLog(output, AccessLogFormat.Text);
        for (var i = 0; i < 50; i++)
        {
            log.Write(Forwarded(Head) with { ResponseCode = 200 + i });
        }

        await log.DisposeAsync();

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(50, lines.Length);
        Assert.Equal(50, log.Written);
        Assert.Equal(0, log.Dropped);
        for (var i = 0; i < 50; i++)
        {
            Assert.Contains($"HTTP/1.1\" {200 + i} - ", lines[i]);
        }
    }

    [Fact]
    public async Task SlowOutput_NeverBlocksARequest_LinesPastTheQueueAreDroppedAndCounted()
    {
        var output = new GatedWriter();
        var log = new AccessLog(output, AccessLogFormat.Text, capacity: 2);
        log.Write(Forwarded(Head) with { ResponseCode = 201 });
        await output.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30)); // the writer holds line 1: the output is "stuck"

        log.Write(Forwarded(Head) with { ResponseCode = 202 });
        log.Write(Forwarded(Head) with { ResponseCode = 203 });
        log.Write(Forwarded(Head) with { ResponseCode = 204 }); // queue (2) full: dropped, and Write returned anyway
        log.Write(Forwarded(Head) with { ResponseCode = 205 });
        Assert.Equal(2, log.Dropped);

        output.Gate.SetResult();
        await log.DisposeAsync();
        var codes = output.Text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[4]);
        Assert.Equal(["201", "202", "203"], codes);
        Assert.Equal(3, log.Written);
    }

    /// <summary>An output that blocks on its first write until the test opens the gate (a stdout nobody reads).</summary>
    private sealed class GatedWriter : TextWriter
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public StringBuilder Text { get; } = new();

        public override Encoding Encoding => Encoding.UTF8;

        public override async Task WriteAsync(ReadOnlyMemory<char> buffer, CancellationToken cancellationToken = default)
        {
            Entered.TrySetResult();
            await Gate.Task;
            lock (Text)
            {
                Text.Append(buffer.Span);
            }
        }
    }
}
