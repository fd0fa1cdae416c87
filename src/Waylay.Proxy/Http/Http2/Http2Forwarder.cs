using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Waylay.Mesh.Networking;
using Waylay.Proxy.Http.Headers;
using Waylay.Proxy.Http.Policy;
using Waylay.Proxy.Routing;
using Waylay.Proxy.LoadBalancing;
using Waylay.Proxy.Telemetry.Http;
using Yarp.ReverseProxy.Forwarder;
using Waylay.Proxy.Connections;
using Waylay.Proxy.Pools;

namespace Waylay.Proxy.Http.Http2;

/// <summary>
/// One h2 request (a gRPC call is one) from Kestrel to an upstream and back:
/// <code>
///   :: Step 1  scope: what the core decided for the connection (outbound service, inbound app, passthrough)
///   :: Step 2  route: normalized :path → RequestRoute.Select (the policy stage HTTP/1 shares, Http/Policy)
///              → 404 NR / 503 NC; fault delay/abort; rewrite and header edits
///   :: Step 3  endpoint: UpstreamSelector over the route's subset → 503 UH
///   :: Step 4  forward with YARP over pooled h2c upstream connections, within the route timeout (504 UT) and the
///              per-try timeout; at most http2MaxRequests tries in flight to the cluster (TryBudget: 503 UO)
///   :: Step 4½ retry on another endpoint as RetryPolicy says (status, gRPC status of a trailers-only answer,
///              connect failure, reset, per-try timeout) while nothing went downstream and the body (≤ 1 MiB) is kept
///   :: Step 5  telemetry: metrics, access log, span, once per request
/// </code>
/// Every request picks its own endpoint, so one long-lived client h2 connection (what gRPC clients keep) is balanced
/// per call rather than pinned to the endpoint its connection happened to reach, which is the point of L7 for gRPC.
/// </summary>
internal sealed partial class Http2Forwarder
{
    private readonly IHttpForwarder _forwarder;
    private readonly Http2GatewayServices _services;
    private readonly HttpMessageInvoker _client;
    private readonly HttpMessageInvoker _inboundSourceClient;
    private readonly ForwarderRequestConfig _config;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Http2Labels _labels;
    private readonly Http2UpstreamConnections _upstreams;
    private readonly Http2ConnectionRotations _rotations = new();

    public Http2Forwarder(IHttpForwarder forwarder, Http2GatewayServices services, HttpMessageInvoker client, HttpMessageInvoker inboundSourceClient,
        Http2UpstreamConnections upstreams)
    {
        _upstreams = upstreams;
        _forwarder = forwarder;
        _services = services;
        _client = client;
        _inboundSourceClient = inboundSourceClient;
        _time = services.Time;
        _labels = new Http2Labels(services.Telemetry?.Metrics);
        _logger = services.Loggers.CreateLogger("Waylay.Proxy.Http2");

        // h2c with prior knowledge upstream (there is no TLS to negotiate ALPN on); YARP's activity timeout is its
        // idle timer, so it gets the proxy's idle timeout: a quiet gRPC stream is not a failed one.
        _config = new ForwarderRequestConfig
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            ActivityTimeout = services.IdleTimeout,
        };
    }

    public async Task ForwardAsync(HttpContext context)
    {
        var started = _time.GetTimestamp();
        var exchange = new Http2Exchange { StartTime = _time.GetUtcNow() };

        // :: Step 1
        var feature = context.Features.Get<HttpScopeFeature>()
            ?? throw new InvalidOperationException("an h2 request without its connection's scope: the connection did not come through Http2Gateway.ServeAsync");
        var scope = feature.Scope;
        var request = context.Request;
        exchange.Grpc = request.ContentType is { } type && type.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase);
        exchange.Path = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? request.Path.Value ?? "/";
        var requestBody = new CountingStream(request.Body);
        request.Body = requestBody;
        var responseBody = new CountingResponseBody(context.Features.GetRequiredFeature<IHttpResponseBodyFeature>());
        context.Features.Set<IHttpResponseBodyFeature>(responseBody);
        try
        {
            await ForwardCoreAsync(context, scope, exchange).ConfigureAwait(false);
        }
        finally
        {
            // :: Step 5
            Complete(context, feature, exchange, requestBody.Count, responseBody.Count, _time.GetElapsedTime(started));
        }
    }

    private async Task ForwardCoreAsync(HttpContext context, HttpScope scope, Http2Exchange exchange)
    {
        var request = context.Request;

        // A rule or endpoint change applies to the next stream of an open connection, as Envoy applies route updates:
        // gRPC clients keep their connections for hours.
        var (table, dialled) = scope.ForNextRequest();
        exchange.Table = table;
        exchange.Service = dialled;

        // This hop's fields and span, decided once per request (a retry is the same span), answered or forwarded.
        exchange.Kind = scope.Direction == TrafficDirection.Inbound ? SpanKind.Server : SpanKind.Client;
        exchange.Fields = _services.Decorator.Decorate(new KestrelTraceFields(request.Headers), exchange.Kind, context.Connection.RemoteIpAddress?.ToString());
        var path = PathNormalizer.Normalize(exchange.Path);
        var route = RequestRoute.Inbound(path);
        IPEndPoint target;
        EndpointStats? endpoint = null;
        UpstreamChoice choice = default;

        if (scope.Direction == TrafficDirection.Inbound)
        {
            target = scope.InboundTarget ?? throw new InvalidOperationException("an inbound h2 connection without its inbound target");
            exchange.Cluster = InboundClusterName.For((ushort)target.Port);
        }
        else if (dialled is { } service)
        {
            // :: Step 2
            route = RequestRoute.Select(gateway: null, table, service, default,
                new RouteRequest(request.Method, path, service.Port.Port, new KestrelRequestHeaders(request.Headers)), _services.Random);
            exchange.RouteName = route.Selection.Route?.Name;
            if (!route.IsRouted)
            {
                var (status, flag) = route.Refusal;
                await exchange.ReplyAsync(context, status, flag, flag == ResponseFlags.NoRouteFound ? "" : "no cluster").ConfigureAwait(false);
                return;
            }

            exchange.Cluster = route.Selection.Target!.ClusterName(route.Selection.DestinationPort);
            if (route.Fault.Delay is { } delay)
            {
                exchange.Flags |= ResponseFlags.DelayInjected;
                try
                {
                    await Task.Delay(delay, _time, context.RequestAborted).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    exchange.Flags |= ResponseFlags.DownstreamConnectionTermination; // the caller gave up during the delay
                    return;
                }
            }

            if (route.Fault.AbortStatus is { } abort)
            {
                await exchange.ReplyAsync(context, abort, ResponseFlags.FaultInjected, "fault filter abort").ConfigureAwait(false);
                return;
            }

            // :: Step 3
            choice = _services.Selector.Choose(table, route.Selection, _services.Random);
            if (!choice.IsRouted)
            {
                await exchange.ReplyAsync(context, choice.Status, choice.Flag, "no healthy upstream").ConfigureAwait(false);
                return;
            }

            exchange.Cluster = choice.ClusterName ?? exchange.Cluster;
            endpoint = choice.Endpoint!;
            target = endpoint.Address;
            exchange.Endpoint = endpoint;
        }
        else
        {
            // An h2 connection to no known service: on to where it was going, still per request.
            target = scope.Connection.OriginalDestination?.EndPoint ?? throw new InvalidOperationException("an outbound h2 connection without its original destination");
            exchange.Cluster = "PassthroughCluster";
        }

        // :: Step 4
        var retry = route.Retry;
        var client = scope.InboundSource is null ? _client : _inboundSourceClient;
        using var timeout = route.Timeout is { } limit ? new CancellationTokenSource(limit, _time) : null;
        var routeToken = timeout?.Token ?? CancellationToken.None;

        // Envoy keeps up to 1 MiB of the request body so that a retry can send it again; without retries, nothing is kept.
        using var replay = retry.KeepsBody && dialled is not null ? new ReplayableRequestBody(request.Body) : null;
        if (replay is not null)
        {
            request.Body = replay;
        }

        for (var attempt = 0; ; attempt++)
        {
            exchange.Upstream = target.ToString();
            if (!TryBudget.TryEnter(choice, out var budget))
            {
                await exchange.ReplyAsync(context, TryBudget.OverflowStatus, ResponseFlags.UpstreamOverflow,
                    "upstream connect error or disconnect/reset before headers. reset reason: overflow").ConfigureAwait(false);
                return;
            }

            // maxRequestsPerConnection: the try goes to its endpoint's current pool generation, not the shared pool.
            var rotation = endpoint is not null && choice.Cluster?.Limiter.MaxRequestsPerConnection is { } perConnection
                ? _rotations.For(choice.ClusterName ?? exchange.Cluster!, endpoint.Address, perConnection)
                : null;
            var generation = rotation?.Enter();
            using var current = new Http2Try(retry, retry.IsLast(attempt + 1), replay, routeToken, _time);
            var transformer = new TransparentTransformer(route.ForwardedPath, route.RequestEdits, route.ResponseEdits, exchange.Fields, current);
            ForwarderError error;
            try
            {
                error = await _forwarder.SendAsync(context, generation?.Prefix ?? "http://" + exchange.Upstream, client, _config, transformer, current.Token)
                    .ConfigureAwait(false);
            }
            finally
            {
                budget.Exit();
                if (generation is not null && rotation!.Exit(generation))
                {
                    _upstreams.Close(generation.Host);
                }
            }

            var clientGone = context.RequestAborted.IsCancellationRequested;
            var routeTimedOut = timeout?.IsCancellationRequested == true;
            var connectFailed = false;
            UpstreamFailure? failure = null;
            if (current.RetryAsked)
            {
                UpstreamSelector.Report(choice, current.RetriedStatus);
            }
            else if (current.TimedOut && !routeTimedOut && !clientGone)
            {
                failure = UpstreamFailure.PerTryTimeout;
            }
            else if (error == ForwarderError.None)
            {
                // A gRPC call's outcome is its grpc-status, counted as Envoy counts it (UNAVAILABLE as 503, …).
                var status = context.Response.StatusCode;
                UpstreamSelector.Report(choice, exchange.Grpc && status == 200 && GrpcStatusOf(context) is > 0 and var grpc ? GrpcHttpStatus.For(grpc) : status);
                return;
            }
            else
            {
                var exception = context.Features.Get<IForwarderErrorFeature>()?.Exception;
                connectFailed = error == ForwarderError.Request && UpstreamConnectException.IsIn(exception);
                if (connectFailed)
                {
                    failure = UpstreamFailure.ConnectFailure;
                    endpoint?.ConnectFailed();
                }
                else if ((error is ForwarderError.Request or ForwarderError.RequestBodyDestination or ForwarderError.ResponseBodyDestination) && !clientGone && !routeTimedOut)
                {
                    // The upstream reset the stream or closed the connection (REFUSED_STREAM: it never processed it).
                    failure = IsRefusedStream(exception) ? UpstreamFailure.RefusedStream : UpstreamFailure.Reset;
                }
            }

            var retryable = current.RetryAsked || (failure is { } failed && retry.AfterFailure(choice, failed, last: !current.CanRetry));

            // :: Step 4½ another try, on another endpoint (Envoy's previous-hosts predicate, as Istio configures it),
            //    only while nothing of the response went downstream and the body kept so far can be sent again
            if (!clientGone && !context.Response.HasStarted && current.CanRetry && dialled is not null && route.Selection.Target is not null && retryable)
            {
                var next = _services.Selector.Choose(table, route.Selection, _services.Random, exclude: endpoint);
                if (next.IsRouted)
                {
                    // YARP copied nothing of a retried response, or marked the failed one: clear that so it forwards again.
                    context.Response.Clear();
                    context.Features.Set<IForwarderErrorFeature>(null);
                    replay!.Rewind();
                    choice = next;
                    endpoint = next.Endpoint!;
                    exchange.Endpoint = endpoint;
                    target = endpoint.Address;

                    // Envoy's default back-off before the next try; the route timeout and the caller still count.
                    using var waiting = CancellationTokenSource.CreateLinkedTokenSource(routeToken, context.RequestAborted);
                    try
                    {
                        await RetryPolicy.BackOffAsync(attempt + 1, _services.Random, _time, waiting.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        if (context.RequestAborted.IsCancellationRequested)
                        {
                            exchange.Flags |= ResponseFlags.DownstreamConnectionTermination;
                            return;
                        }

                        await FailAsync(context, exchange, scope, ForwarderError.None, connectFailed: false, timedOut: true).ConfigureAwait(false);
                        return;
                    }

                    continue;
                }

                if (current.RetryAsked)
                {
                    await exchange.ReplyAsync(context, next.Status, next.Flag, "no healthy upstream").ConfigureAwait(false);
                    return;
                }
            }

            if (current.RetryAsked)
            {
                // The response was dropped for a retry that cannot happen any more: the caller left, or the body
                // outgrew the buffer while the abandoned try was being ended.
                if (clientGone)
                {
                    exchange.Flags |= ResponseFlags.DownstreamConnectionTermination;
                }
                else if (!context.Response.HasStarted)
                {
                    context.Response.Clear();
                    await exchange.ReplyAsync(context, current.RetriedStatus, ResponseFlags.UpstreamRetryLimitExceeded,
                        "upstream answered a retriable status and the request could not be sent again").ConfigureAwait(false);
                }

                return;
            }

            await FailAsync(context, exchange, scope, error, connectFailed, routeTimedOut || current.TimedOut).ConfigureAwait(false);
            return;
        }
    }

    /// <summary>REFUSED_STREAM (RFC 9113 §8.7): the upstream did not process the stream, Envoy's <c>refused-stream</c>.</summary>
    private static bool IsRefusedStream(Exception? exception)
    {
        const long RefusedStream = 0x7;
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is HttpProtocolException { ErrorCode: RefusedStream })
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Turns YARP's error into Envoy's answer; after the response has started YARP has already reset the stream.</summary>
    private async Task FailAsync(HttpContext context, Http2Exchange exchange, HttpScope scope, ForwarderError error, bool connectFailed, bool timedOut)
    {
        var clientGone = context.RequestAborted.IsCancellationRequested;
        if (timedOut && !clientGone)
        {
            exchange.Flags |= ResponseFlags.UpstreamRequestTimeout;
            if (!context.Response.HasStarted)
            {
                context.Response.Clear();
                await exchange.ReplyAsync(context, 504, ResponseFlags.UpstreamRequestTimeout, "upstream request timeout").ConfigureAwait(false);
            }
        }
        else if (connectFailed)
        {
            context.Response.Clear();
            await exchange.ReplyAsync(context, 503, ResponseFlags.UpstreamConnectionFailure,
                "upstream connect error or disconnect/reset before headers. reset reason: connection failure").ConfigureAwait(false);
        }
        else if (clientGone)
        {
            exchange.Flags |= ResponseFlags.DownstreamConnectionTermination;
        }
        else
        {
            exchange.Flags |= error switch
            {
                ForwarderError.ResponseBodyDestination or ForwarderError.RequestBodyDestination => ResponseFlags.UpstreamRemoteReset,
                ForwarderError.Request => ResponseFlags.UpstreamConnectionTermination,
                _ => ResponseFlags.None,
            };
            if (!context.Response.HasStarted && error == ForwarderError.Request)
            {
                context.Response.Clear();
                await exchange.ReplyAsync(context, 503, ResponseFlags.UpstreamConnectionTermination,
                    "upstream connect error or disconnect/reset before headers. reset reason: connection termination").ConfigureAwait(false);
            }
        }

        if (_logger.IsEnabled(LogLevel.Debug))
        {
            Http2Log.ForwardFailed(_logger, scope.Connection.Id, context.Request.Method, exchange.Path, exchange.Upstream ?? "-", error.ToString(), exchange.Flags.ToEnvoyString());
        }
    }
}
