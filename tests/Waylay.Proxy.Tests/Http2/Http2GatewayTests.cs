using System.Net;
using Grpc.Core;
using Waylay.TestKit;
using Xunit;
using static Waylay.Proxy.Tests.Http2.EchoGrpc;

namespace Waylay.Proxy.Tests.Http2;

/// <summary>
/// <c>src/Waylay.Proxy/Http/Http2/Http2Gateway.cs</c> with real gRPC on both sides: every call kind passes with its
/// messages, status and trailers; requests of one h2 connection are balanced per call; routes pick subsets; the
/// proxy's own answers are Envoy's (gRPC form for gRPC callers).
/// </summary>
public sealed partial class Http2GatewayTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Unary_PassesThrough_KeepingAuthority_AddingForwardedForAndRequestId_WithTrailers()
    {
        await using var lab = await GatewayLab.StartAsync();
        using var channel = lab.Channel();
        using var call = GatewayLab.Invoker(channel).AsyncUnaryCall(Unary, null, new CallOptions(deadline: DateTime.UtcNow + Bound), Text("hello"));

        var parts = Text(await call.ResponseAsync).Split('|');
        Assert.Contains(parts[0], new[] { "v1", "v2" });
        Assert.Equal(lab.Front.ToString(), parts[1]);  // :authority as the client sent it, not the endpoint's address
        Assert.Equal("127.0.0.1", parts[2]);            // x-forwarded-for: the downstream's address
        Assert.Equal("id", parts[3]);                   // x-request-id created
        Assert.StartsWith("ipv4:127.0.0.1:", parts[4]); // from the proxy, no source bound outbound
        Assert.Equal("hello", parts[5]);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
        Assert.Equal(parts[0], call.GetTrailers().GetValue("served-by"));
    }

    [Fact]
    public async Task TraceContext_IsContinued_WithThisHopsSpan_AsOnTheHttp1Path()
    {
        await using var lab = await GatewayLab.StartAsync();
        using var channel = lab.Channel();
        const string TraceId = "0af7651916cd43dd8448eb211c80319c";
        const string CallerSpan = "b7ad6b7169203331";
        var headers = new Metadata { { "traceparent", $"00-{TraceId}-{CallerSpan}-01" } };
        var parts = Text(await GatewayLab.Invoker(channel).AsyncUnaryCall(Unary, null, new CallOptions(headers, DateTime.UtcNow + Bound), Text("t")).ResponseAsync).Split('|');

        // The outbound hop is a client span: same trace, a new span id, the caller's span as its parent.
        var forwarded = parts[6].Split('-');
        Assert.Equal(TraceId, forwarded[1]);
        Assert.NotEqual(CallerSpan, forwarded[2]);
        Assert.Equal("01", forwarded[3]);
        Assert.Equal(CallerSpan, parts[7]);
    }

    [Fact]
    public async Task Inbound_GoesToTheApp_FromTheInboundSource_WithoutRouting()
    {
        // --inbound-to pod-ip: the app is reached from 127.0.0.6 (on loopback any 127/8 source binds).
        await using var lab = await GatewayLab.StartAsync(inboundFrom: IPAddress.Parse("127.0.0.6"));
        using var channel = lab.Channel();
        var invoker = GatewayLab.Invoker(channel);
        for (var i = 0; i < 4; i++)
        {
            var parts = Text(await invoker.AsyncUnaryCall(Unary, null, new CallOptions(deadline: DateTime.UtcNow + Bound), Text("in")).ResponseAsync).Split('|');
            Assert.Equal("v1", parts[0]);                   // the inbound target, every time: no balancing inbound
            Assert.StartsWith("ipv4:127.0.0.6:", parts[4]);
        }

        Assert.Contains("reporter=\"destination\"", lab.Telemetry.Metrics.RenderPrometheus());
    }

    [Fact]
    public async Task ServerStreaming_ClientStreaming_Bidi_PassEveryMessageAndTheTrailers()
    {
        await using var lab = await GatewayLab.StartAsync();
        using var channel = lab.Channel();
        var invoker = GatewayLab.Invoker(channel);
        var options = new CallOptions(deadline: DateTime.UtcNow + Bound);

        using (var split = invoker.AsyncServerStreamingCall(Split, null, options, Text("a,b,c,d")))
        {
            var got = new List<string>();
            await foreach (var message in split.ResponseStream.ReadAllAsync())
            {
                got.Add(Text(message));
            }

            var name = split.GetTrailers().GetValue("served-by");
            Assert.Equal(new[] { $"{name}:a", $"{name}:b", $"{name}:c", $"{name}:d" }, got);
        }

        using (var join = invoker.AsyncClientStreamingCall(Join, null, options))
        {
            foreach (var part in new[] { "x", "y", "z" })
            {
                await join.RequestStream.WriteAsync(Text(part));
            }

            await join.RequestStream.CompleteAsync();
            var name = (await join.ResponseHeadersAsync, Text(await join.ResponseAsync)).Item2.Split(':')[0];
            Assert.Equal($"{name}:x+y+z", Text(await join.ResponseAsync));
            Assert.Equal(name, join.GetTrailers().GetValue("served-by"));
        }

        // Bidi in lock step: each answer must come back before the next message goes, so nothing is buffered whole.
        using (var chat = invoker.AsyncDuplexStreamingCall(Chat, null, options))
        {
            string? name = null;
            for (var i = 0; i < 20; i++)
            {
                await chat.RequestStream.WriteAsync(Text($"m{i}"));
                Assert.True(await chat.ResponseStream.MoveNext());
                var answer = Text(chat.ResponseStream.Current).Split(':');
                name ??= answer[0];
                Assert.Equal(new[] { name, $"m{i}" }, answer);
            }

            await chat.RequestStream.CompleteAsync();
            Assert.False(await chat.ResponseStream.MoveNext());
            Assert.Equal(name, chat.GetTrailers().GetValue("served-by"));
        }
    }

    [Fact]
    public async Task StatusError_PassesThroughWithItsStatusAndMessage()
    {
        await using var lab = await GatewayLab.StartAsync();
        using var channel = lab.Channel();
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            GatewayLab.Invoker(channel).AsyncUnaryCall(Fail, null, new CallOptions(deadline: DateTime.UtcNow + Bound), Text("this")).ResponseAsync);

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Matches("^v[12] refuses this$", error.Status.Detail);
        Assert.Null(error.Trailers.GetValue("x-waylay-proxy-error"));

        // The request is in Istio's metrics with its gRPC status.
        var metrics = lab.Telemetry.Metrics.RenderPrometheus();
        Assert.Contains("grpc_response_status=\"9\"", metrics);
        Assert.Contains("request_protocol=\"grpc\"", metrics);
    }

    [Fact]
    public async Task PlainH2cGet_WithHttpClientVersion2Exact_PassesThrough()
    {
        await using var lab = await GatewayLab.StartAsync();
        using var client = new HttpClient(new SocketsHttpHandler())
        {
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        using var response = await client.GetAsync($"http://{lab.Front}/plain");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpVersion.Version20, response.Version);
        var parts = (await response.Content.ReadAsStringAsync()).Split('|');
        Assert.Equal(lab.Front.ToString(), parts[1]);
        Assert.Equal("HTTP/2", parts[2]);
    }

    [Fact]
    public async Task CallsOfOneConnection_AreBalancedPerCall_AcrossBothEndpoints()
    {
        await using var lab = await GatewayLab.StartAsync();
        using var channel = lab.Channel();
        var invoker = GatewayLab.Invoker(channel);
        var served = new Dictionary<string, int>();
        for (var i = 0; i < 20; i++)
        {
            var name = Text(await invoker.AsyncUnaryCall(Unary, null, new CallOptions(deadline: DateTime.UtcNow + Bound), Text("x")).ResponseAsync).Split('|')[0];
            served[name] = served.GetValueOrDefault(name) + 1;
        }

        Assert.Equal(1, lab.Accepted);                        // one client h2 connection…
        Assert.Equal(new[] { "v1", "v2" }, served.Keys.Order()); // …spread over both endpoints
        Assert.Equal(10, served["v1"]);                       // round robin, the service's balancer

        // Upstream, one pooled h2c connection per endpoint, each having carried its ten calls.
        var upstreams = lab.Gateway.Upstreams.Open.OrderBy(u => u.Remote.Port).ToList();
        Assert.Equal(2, upstreams.Count);
        Assert.All(upstreams, u => Assert.Equal(10, u.Requests));
    }

    [Fact]
    public async Task HeaderMatch_RoutesToItsSubset_OtherCallsToTheDefault()
    {
        await using var lab = await GatewayLab.StartAsync(networking: """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: echo, namespace: default}
            spec:
              hosts: [echo]
              http:
              - match: [{headers: {end-user: {exact: jason}}}]
                route: [{destination: {host: echo, subset: v2}}]
              - route: [{destination: {host: echo, subset: v1}}]
            ---
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: echo, namespace: default}
            spec:
              host: echo
              subsets:
              - {name: v1, labels: {version: v1}}
              - {name: v2, labels: {version: v2}}
            """);
        using var channel = lab.Channel();
        var invoker = GatewayLab.Invoker(channel);
        for (var i = 0; i < 6; i++)
        {
            var jason = new Metadata { { "end-user", "jason" } };
            Assert.StartsWith("v2|", Text(await invoker.AsyncUnaryCall(Unary, null, new CallOptions(jason, DateTime.UtcNow + Bound), Text("j")).ResponseAsync));
            Assert.StartsWith("v1|", Text(await invoker.AsyncUnaryCall(Unary, null, new CallOptions(deadline: DateTime.UtcNow + Bound), Text("o")).ResponseAsync));
        }
    }

    [Fact]
    public async Task RuleChange_AppliesToTheNextCall_OfAnOpenConnection()
    {
        static string AllTo(string subset) => """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: echo, namespace: default}
            spec:
              hosts: [echo]
              http:
              - route: [{destination: {host: echo, subset: SUBSET}}]
            ---
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: echo, namespace: default}
            spec:
              host: echo
              subsets:
              - {name: v1, labels: {version: v1}}
              - {name: v2, labels: {version: v2}}
            """.Replace("SUBSET", subset, StringComparison.Ordinal);

        await using var lab = await GatewayLab.StartAsync(networking: AllTo("v1"));
        using var channel = lab.Channel();
        var invoker = GatewayLab.Invoker(channel);
        Assert.StartsWith("v1|", Text(await invoker.AsyncUnaryCall(Unary, null, new CallOptions(deadline: DateTime.UtcNow + Bound), Text("x")).ResponseAsync));

        lab.ApplyRules(AllTo("v2"));
        for (var i = 0; i < 3; i++)
        {
            Assert.StartsWith("v2|", Text(await invoker.AsyncUnaryCall(Unary, null, new CallOptions(deadline: DateTime.UtcNow + Bound), Text("x")).ResponseAsync));
        }

        Assert.Equal(1, lab.Accepted);
    }

    [Fact]
    public async Task NoRoute_IsUnimplemented_WithFlagNR()
    {
        await using var lab = await GatewayLab.StartAsync(networking: """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: echo, namespace: default}
            spec:
              hosts: [echo]
              http:
              - match: [{uri: {prefix: /elsewhere}}]
                route: [{destination: {host: echo}}]
            """);
        using var channel = lab.Channel();
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            GatewayLab.Invoker(channel).AsyncUnaryCall(Unary, null, new CallOptions(deadline: DateTime.UtcNow + Bound), Text("x")).ResponseAsync);

        Assert.Equal(StatusCode.Unimplemented, error.StatusCode);
        Assert.Equal("no-route", error.Trailers.GetValue("x-waylay-proxy-error"));
        Assert.Contains("response_flags=\"NR\"", lab.Telemetry.Metrics.RenderPrometheus());
    }

    [Fact]
    public async Task NoHealthyEndpoint_IsUnavailable_503UH_ForPlainH2Too()
    {
        await using var lab = await GatewayLab.StartAsync(endpoints: """
              - {address: 127.0.0.1, ports: {grpc: {v1}}, health: Unhealthy}
            """);
        using var channel = lab.Channel();
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            GatewayLab.Invoker(channel).AsyncUnaryCall(Unary, null, new CallOptions(deadline: DateTime.UtcNow + Bound), Text("x")).ResponseAsync);
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Equal("no-healthy-upstream", error.Trailers.GetValue("x-waylay-proxy-error"));

        using var client = new HttpClient { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        using var response = await client.GetAsync($"http://{lab.Front}/plain");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("no-healthy-upstream", string.Join(",", response.Headers.GetValues("x-waylay-proxy-error")));
        Assert.Equal("no healthy upstream", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ConnectFailure_Is503UF_AndIsRetriedOnAnotherEndpointWhenThereIsOne()
    {
        using var refusing = new RefusingPort();
        var dead = $"  - {{address: 127.0.0.1, ports: {{grpc: {refusing.Port}}}}}\n";
        await using (var lab = await GatewayLab.StartAsync(endpoints: dead))
        {
            using var client = new HttpClient { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
            using var response = await client.GetAsync($"http://{lab.Front}/plain");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal("upstream-connect-failure", string.Join(",", response.Headers.GetValues("x-waylay-proxy-error")));
            Assert.Contains("response_flags=\"UF\"", lab.Telemetry.Metrics.RenderPrometheus());
        }

        // With a live endpoint beside the dead one, Istio's default retries (connect-failure) hide the dead one.
        await using (var lab = await GatewayLab.StartAsync(endpoints: dead + "  - {address: 127.0.0.1, ports: {grpc: {v1}}}\n"))
        {
            using var channel = lab.Channel();
            var invoker = GatewayLab.Invoker(channel);
            for (var i = 0; i < 6; i++)
            {
                Assert.StartsWith("v1|", Text(await invoker.AsyncUnaryCall(Unary, null, new CallOptions(deadline: DateTime.UtcNow + Bound), Text("x")).ResponseAsync));
            }
        }
    }

    [Fact]
    public async Task FaultInjection_DelaysThenAborts_AsTheRouteSays()
    {
        await using var lab = await GatewayLab.StartAsync(networking: """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: echo, namespace: default}
            spec:
              hosts: [echo]
              http:
              - route: [{destination: {host: echo}}]
                fault:
                  delay: {fixedDelay: 1ms, percentage: {value: 100}}
                  abort: {httpStatus: 503, percentage: {value: 100}}
            """);
        using var channel = lab.Channel();
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            GatewayLab.Invoker(channel).AsyncUnaryCall(Unary, null, new CallOptions(deadline: DateTime.UtcNow + Bound), Text("x")).ResponseAsync);

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Equal("fault-abort", error.Trailers.GetValue("x-waylay-proxy-error"));
        Assert.Contains("response_flags=\"DI,FI\"", lab.Telemetry.Metrics.RenderPrometheus());
    }

    [Fact]
    public async Task RouteTimeout_IsUnavailable504UT_WhenTheBackendNeverAnswers()
    {
        await using var lab = await GatewayLab.StartAsync(networking: """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: echo, namespace: default}
            spec:
              hosts: [echo]
              http:
              - route: [{destination: {host: echo}}]
                timeout: 300ms
            """);
        using var channel = lab.Channel();
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            GatewayLab.Invoker(channel).AsyncUnaryCall(Hang, null, new CallOptions(deadline: DateTime.UtcNow + Bound), Text("x")).ResponseAsync);

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Equal("upstream-timeout", error.Trailers.GetValue("x-waylay-proxy-error"));
        Assert.Contains("response_flags=\"UT\"", lab.Telemetry.Metrics.RenderPrometheus());
    }

    [Fact]
    public async Task ServeAsync_Returns_WhenTheClientGoesAway_GracefullyOrMidStream()
    {
        await using var lab = await GatewayLab.StartAsync();

        // Graceful: the client finishes its call and closes its connection.
        using (var channel = lab.Channel())
        {
            await GatewayLab.Invoker(channel).AsyncUnaryCall(Unary, null, new CallOptions(deadline: DateTime.UtcNow + Bound), Text("x")).ResponseAsync;
            Assert.Equal(1, lab.Serving);
        }

        Assert.Equal(0, await WaitForAsync(() => lab.Serving, static n => n == 0));

        // Abrupt: the client's connection is gone while a call is open and the backend is still holding it.
        var channel2 = lab.Channel();
        var hanging = GatewayLab.Invoker(channel2).AsyncUnaryCall(Hang, null, new CallOptions(deadline: DateTime.UtcNow + Bound), Text("x"));
        Assert.Equal(1, await WaitForAsync(() => lab.Serving, static n => n == 1));
        channel2.Dispose();
        await Assert.ThrowsAnyAsync<Exception>(() => hanging.ResponseAsync);
        Assert.Equal(0, await WaitForAsync(() => lab.Serving, static n => n == 0));
    }

    [Fact]
    public async Task ServeAsync_Returns_WhenTheCoreClosesTheConnection()
    {
        await using var lab = await GatewayLab.StartAsync();
        using var channel = lab.Channel();
        var invoker = GatewayLab.Invoker(channel);
        await invoker.AsyncUnaryCall(Unary, null, new CallOptions(deadline: DateTime.UtcNow + Bound), Text("x")).ResponseAsync;
        var hanging = invoker.AsyncUnaryCall(Hang, null, new CallOptions(deadline: DateTime.UtcNow + Bound), Text("x"));

        // The idle sweep or a forced drain cancels the connection: Kestrel's last frames cannot be written any more,
        // and the connection must still end (it used to hang there, and the core's connection with it).
        lab.CloseConnections();
        Assert.Equal(0, await WaitForAsync(() => lab.Serving, static n => n == 0));
        await Assert.ThrowsAsync<RpcException>(() => hanging.ResponseAsync);
    }

    [Fact]
    public async Task BeginDrain_SendsGoAway_TheCallInFlightFinishes_AndTheNextCallUsesANewConnection()
    {
        await using var lab = await GatewayLab.StartAsync();
        using var channel = lab.Channel();
        var invoker = GatewayLab.Invoker(channel);
        using var chat = invoker.AsyncDuplexStreamingCall(Chat, null, new CallOptions(deadline: DateTime.UtcNow + Bound));
        await chat.RequestStream.WriteAsync(Text("before"));
        Assert.True(await chat.ResponseStream.MoveNext());

        lab.Gateway.BeginDrain();

        // The call in flight goes on to its end on the draining connection…
        await chat.RequestStream.WriteAsync(Text("after"));
        Assert.True(await chat.ResponseStream.MoveNext());
        Assert.EndsWith(":after", Text(chat.ResponseStream.Current));
        await chat.RequestStream.CompleteAsync();
        Assert.False(await chat.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.OK, chat.GetStatus().StatusCode);

        // …which then closes, and the client's next call opens a fresh one.
        Assert.Equal(0, await WaitForAsync(() => lab.Serving, static n => n == 0));
        await invoker.AsyncUnaryCall(Unary, null, new CallOptions(deadline: DateTime.UtcNow + Bound), Text("x")).ResponseAsync;
        Assert.Equal(2, lab.Accepted);
    }

    [Fact]
    public async Task Telemetry_CountsTheGrpcBodyBytesBothWays_AndOneRequest()
    {
        await using var lab = await GatewayLab.StartAsync();
        using var channel = lab.Channel();
        using var join = GatewayLab.Invoker(channel).AsyncClientStreamingCall(Join, null, new CallOptions(deadline: DateTime.UtcNow + Bound));
        foreach (var part in new[] { "x", "yy", "zzz" })
        {
            await join.RequestStream.WriteAsync(Text(part));
        }

        await join.RequestStream.CompleteAsync();
        var answer = await join.ResponseAsync;

        // gRPC frames: a 5-byte prefix per message. The sample is recorded when the call ends, after the answer.
        var metrics = await WaitForAsync(() => lab.Telemetry.Metrics.RenderPrometheus(), m => m.Contains("istio_requests_total"));
        Assert.Equal(3 * 5 + 6, Sample(metrics, "istio_request_bytes_sum"));
        Assert.Equal(5 + answer.Length, Sample(metrics, "istio_response_bytes_sum"));
        Assert.Equal(1, Sample(metrics, "istio_requests_total"));
    }

    private static long Sample(string metrics, string name)
    {
        var line = metrics.Split('\n').Single(l => l.StartsWith(name + "{", StringComparison.Ordinal));
        return long.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Polls until <paramref name="done"/> (at most ~6 s), then returns the last value read.</summary>
    private static async Task<T> WaitForAsync<T>(Func<T> read, Func<T, bool> done)
    {
        for (var i = 0; i < 300; i++)
        {
            var value = read();
            if (done(value))
            {
                return value;
            }

            await Task.Delay(20);
        }

        return read();
    }
}
