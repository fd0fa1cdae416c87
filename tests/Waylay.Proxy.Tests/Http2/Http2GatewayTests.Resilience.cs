using Grpc.Core;
using Xunit;
using static Waylay.Proxy.Tests.Http2.EchoGrpc;

namespace Waylay.Proxy.Tests.Http2;

/// <summary>
/// The h2 path's retries, retry buffer, per-try timeout and connection-pool limits, as Istio configures Envoy: the
/// same behaviour the HTTP/1 path has, judged on real gRPC calls.
/// </summary>
public sealed partial class Http2GatewayTests
{
    [Theory]
    [InlineData(nameof(BackendFault.Unavailable))]
    [InlineData(nameof(BackendFault.Http503))]
    public async Task FailingEndpointOfTwo_IsRetriedOnTheOther_WithIstiosDefaultRetries_EveryCallSucceeds(string fault)
    {
        await using var lab = await GatewayLab.StartAsync();
        lab.Probe("v1").Fault = Enum.Parse<BackendFault>(fault);
        using var channel = lab.Channel();
        var invoker = GatewayLab.Invoker(channel);
        for (var i = 0; i < 8; i++)
        {
            Assert.StartsWith("v2|", Text(await invoker.AsyncUnaryCall(Unary, null, new CallOptions(deadline: DateTime.UtcNow + Bound), Text("x")).ResponseAsync));
        }

        Assert.True(lab.Probe("v1").Requests > 0, "the failing endpoint was tried");
        Assert.Equal(8, lab.Probe("v2").Requests);

        // Eight calls, each once in the metrics, as the caller saw it: OK.
        var metrics = await WaitForAsync(() => lab.Telemetry.Metrics.RenderPrometheus(), m => m.Contains("istio_requests_total") && Sample(m, "istio_requests_total") == 8);
        Assert.Equal(8, Sample(metrics, "istio_requests_total"));
        Assert.Contains("grpc_response_status=\"0\"", metrics);
    }

    [Fact]
    public async Task GrpcUnavailable_CountsAsA503ForOutlierDetection_TheEndpointIsEjected()
    {
        // No retries, so every failure reaches the caller: only the outlier detector can keep calls off v1, and only
        // if it counts UNAVAILABLE (an HTTP 200 with grpc-status 14) as the 503 Envoy counts it as.
        await using var lab = await GatewayLab.StartAsync(networking: """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: echo, namespace: default}
            spec:
              hosts: [echo]
              http:
              - route: [{destination: {host: echo}}]
                retries: {attempts: 0}
            ---
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: echo, namespace: default}
            spec:
              host: echo
              trafficPolicy:
                outlierDetection: {consecutive5xxErrors: 2, interval: 10s, baseEjectionTime: 60s, maxEjectionPercent: 100}
            """);
        lab.Probe("v1").Fault = BackendFault.Unavailable;
        using var channel = lab.Channel();
        var invoker = GatewayLab.Invoker(channel);
        var failed = 0;
        for (var i = 0; i < 20; i++)
        {
            try
            {
                Assert.StartsWith("v2|", Text(await invoker.AsyncUnaryCall(Unary, null, new CallOptions(deadline: DateTime.UtcNow + Bound), Text("x")).ResponseAsync));
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable)
            {
                failed++;
            }
        }

        // Two consecutive failures eject v1; every later call goes to v2.
        Assert.Equal(2, lab.Probe("v1").Requests);
        Assert.Equal(2, failed);
        Assert.Equal(18, lab.Probe("v2").Requests);
    }

    [Fact]
    public async Task RetriedUnaryCall_SendsItsBodyAgain_ByteForByte_AndCountsItOnce()
    {
        await using var lab = await GatewayLab.StartAsync();
        lab.Probe("v1").Fault = BackendFault.Unavailable;
        using var channel = lab.Channel();
        var invoker = GatewayLab.Invoker(channel);
        var body = new byte[100_003]; // several of the buffer's segments, the last one part full
        new Random(7).NextBytes(body);
        for (var i = 0; i < 3; i++)
        {
            Assert.StartsWith("v2|", Text(await invoker.AsyncUnaryCall(Unary, null, new CallOptions(deadline: DateTime.UtcNow + Bound), body).ResponseAsync));
        }

        Assert.NotEmpty(lab.Probe("v1").Messages);
        Assert.All(lab.Probe("v1").Messages, message => Assert.Equal(body, message));
        Assert.Equal(3, lab.Probe("v2").Messages.Count);
        Assert.All(lab.Probe("v2").Messages, message => Assert.Equal(body, message));

        // The caller sent each body once: that is what istio_request_bytes counts, not the bytes of every try.
        var metrics = await WaitForAsync(() => lab.Telemetry.Metrics.RenderPrometheus(), m => m.Contains("istio_requests_total") && Sample(m, "istio_requests_total") == 3);
        Assert.Equal(3 * (5 + body.Length), Sample(metrics, "istio_request_bytes_sum"));
    }

    [Fact]
    public async Task BodyOverOneMebibyte_IsNotRetried_TheCallerSeesTheFailure()
    {
        await using var lab = await GatewayLab.StartAsync();
        lab.Probe("v1").Fault = BackendFault.Unavailable;
        lab.Probe("v2").Fault = BackendFault.Unavailable;
        using var channel = lab.Channel();
        var invoker = GatewayLab.Invoker(channel);
        int Tries() => lab.Probe("v1").Requests + lab.Probe("v2").Requests;

        // Within the buffer: the first try and Istio's two retries.
        var small = await Assert.ThrowsAsync<RpcException>(() =>
            invoker.AsyncUnaryCall(Unary, null, new CallOptions(deadline: DateTime.UtcNow + Bound), new byte[64 * 1024]).ResponseAsync);
        Assert.Equal(StatusCode.Unavailable, small.StatusCode);
        Assert.Equal(3, Tries());

        // Over it: sent once, and the endpoint's answer is the caller's.
        var large = await Assert.ThrowsAsync<RpcException>(() =>
            invoker.AsyncUnaryCall(Unary, null, new CallOptions(deadline: DateTime.UtcNow + Bound), new byte[(1 << 20) + 1024]).ResponseAsync);
        Assert.Equal(StatusCode.Unavailable, large.StatusCode);
        Assert.Matches("^v[12] is unavailable$", large.Status.Detail);
        Assert.Equal(4, Tries());
    }

    [Fact]
    public async Task ResetBeforeTheResponse_IsRetriedWhenRetryOnSaysReset_ElseTheCallerSeesIt()
    {
        static string RetryOn(string conditions) => """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: echo, namespace: default}
            spec:
              hosts: [echo]
              http:
              - route: [{destination: {host: echo}}]
                retries: {attempts: 2, retryOn: CONDITIONS}
            """.Replace("CONDITIONS", conditions, StringComparison.Ordinal);

        await using var lab = await GatewayLab.StartAsync(networking: RetryOn("reset"));
        lab.Probe("v1").Fault = BackendFault.Reset;
        using var channel = lab.Channel();
        var invoker = GatewayLab.Invoker(channel);
        for (var i = 0; i < 4; i++)
        {
            Assert.StartsWith("v2|", Text(await invoker.AsyncUnaryCall(Unary, null, new CallOptions(deadline: DateTime.UtcNow + Bound), Text("x")).ResponseAsync));
        }

        Assert.True(lab.Probe("v1").Requests > 0, "the resetting endpoint was tried");

        // Without the condition the reset is the caller's answer, at the latest by the second call (round robin).
        lab.ApplyRules(RetryOn("connect-failure"));
        RpcException? error = null;
        for (var i = 0; i < 2 && error is null; i++)
        {
            error = await Record.ExceptionAsync(() =>
                invoker.AsyncUnaryCall(Unary, null, new CallOptions(deadline: DateTime.UtcNow + Bound), Text("x")).ResponseAsync) as RpcException;
        }

        Assert.NotNull(error);
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Equal("upstream-reset-before-response", error.Trailers.GetValue("x-waylay-proxy-error"));
    }

    [Fact]
    public async Task PerTryTimeout_IsRetriedOnAHealthyEndpoint()
    {
        await using var lab = await GatewayLab.StartAsync(networking: """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: echo, namespace: default}
            spec:
              hosts: [echo]
              http:
              - route: [{destination: {host: echo}}]
                retries: {attempts: 3, perTryTimeout: 1s, retryOn: 5xx}
            """);
        lab.Probe("v1").Fault = BackendFault.Hang;
        using var channel = lab.Channel();
        var invoker = GatewayLab.Invoker(channel);
        for (var i = 0; i < 3; i++)
        {
            Assert.StartsWith("v2|", Text(await invoker.AsyncUnaryCall(Unary, null, new CallOptions(deadline: DateTime.UtcNow + Bound), Text("x")).ResponseAsync));
        }

        Assert.True(lab.Probe("v1").Messages.Count > 0, "the hanging endpoint was tried");
        var metrics = await WaitForAsync(() => lab.Telemetry.Metrics.RenderPrometheus(), m => m.Contains("istio_requests_total") && Sample(m, "istio_requests_total") == 3);
        Assert.DoesNotContain("UT", metrics.Split('\n').Single(l => l.StartsWith("istio_requests_total{", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task PerTryTimeout_WithoutARetryCondition_Is504UT()
    {
        await using var lab = await GatewayLab.StartAsync(networking: """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: echo, namespace: default}
            spec:
              hosts: [echo]
              http:
              - route: [{destination: {host: echo}}]
                retries: {attempts: 3, perTryTimeout: 200ms, retryOn: connect-failure}
            """);
        lab.Probe("v1").Fault = BackendFault.Hang;
        lab.Probe("v2").Fault = BackendFault.Hang;
        using var channel = lab.Channel();
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            GatewayLab.Invoker(channel).AsyncUnaryCall(Unary, null, new CallOptions(deadline: DateTime.UtcNow + Bound), Text("x")).ResponseAsync);

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Equal("upstream-timeout", error.Trailers.GetValue("x-waylay-proxy-error"));
        Assert.Equal(1, lab.Probe("v1").Requests + lab.Probe("v2").Requests);
    }

    [Fact]
    public async Task Http2MaxRequests_Overflow_IsUnavailable_WithFlagUO()
    {
        await using var lab = await GatewayLab.StartAsync(networking: """
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: echo, namespace: default}
            spec:
              host: echo
              trafficPolicy:
                connectionPool: {http: {http2MaxRequests: 1}}
            """);
        using var channel = lab.Channel();
        var invoker = GatewayLab.Invoker(channel);
        var hanging = invoker.AsyncUnaryCall(Hang, null, new CallOptions(deadline: DateTime.UtcNow + Bound), Text("x"));
        Assert.Equal(1, await WaitForAsync(() => lab.Probe("v1").Requests + lab.Probe("v2").Requests, static n => n == 1));

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            invoker.AsyncUnaryCall(Unary, null, new CallOptions(deadline: DateTime.UtcNow + Bound), Text("x")).ResponseAsync);
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Equal("upstream-overflow", error.Trailers.GetValue("x-waylay-proxy-error"));
        Assert.Contains("response_flags=\"UO\"", lab.Telemetry.Metrics.RenderPrometheus());
        Assert.Equal(1, lab.Probe("v1").Requests + lab.Probe("v2").Requests); // refused without reaching an endpoint

        // The call in flight ends; its place is free again.
        hanging.Dispose();
        Assert.True(await SucceedsWithinAsync(() => invoker.AsyncUnaryCall(Unary, null, new CallOptions(deadline: DateTime.UtcNow + Bound), Text("x")).ResponseAsync));
    }

    [Fact]
    public async Task MaxRequestsPerConnection_RetiresTheUpstreamConnection_AfterThatManyCalls()
    {
        await using var lab = await GatewayLab.StartAsync(networking: """
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: echo, namespace: default}
            spec:
              host: echo
              trafficPolicy:
                connectionPool: {http: {maxRequestsPerConnection: 2}}
            """);
        using var channel = lab.Channel();
        var invoker = GatewayLab.Invoker(channel);
        for (var i = 0; i < 6; i++)
        {
            await invoker.AsyncUnaryCall(Unary, null, new CallOptions(deadline: DateTime.UtcNow + Bound), Text("x")).ResponseAsync;
        }

        // Round robin: three calls per endpoint, two on a first connection, the third on a second one.
        Assert.Equal(3, lab.Probe("v1").Requests);
        Assert.Equal(2, lab.Probe("v1").Connections);
        Assert.Equal(2, lab.Probe("v2").Connections);

        // The full connections were closed; the second ones are open, with their one call each.
        Assert.Equal(2, await WaitForAsync(() => lab.Gateway.Upstreams.Open.Count, static n => n == 2));
        Assert.All(lab.Gateway.Upstreams.Open, upstream => Assert.Equal(1, upstream.Requests));
    }

    /// <summary>Tries <paramref name="call"/> until it succeeds (at most ~6 s, for a release that happens asynchronously).</summary>
    private static async Task<bool> SucceedsWithinAsync(Func<Task> call)
    {
        for (var i = 0; i < 300; i++)
        {
            try
            {
                await call();
                return true;
            }
            catch (RpcException)
            {
                await Task.Delay(20);
            }
        }

        return false;
    }
}
