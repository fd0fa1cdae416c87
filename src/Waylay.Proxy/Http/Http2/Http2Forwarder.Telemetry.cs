using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Waylay.Proxy.Http.Headers;
using Waylay.Proxy.LoadBalancing;
using Waylay.Proxy.Routing;
using Waylay.Proxy.Telemetry.Http;
using Waylay.Proxy.Connections;

namespace Waylay.Proxy.Http.Http2;

/// <summary>Step 5: what one request became, and its one record (metrics, access log, span).</summary>
internal sealed partial class Http2Forwarder
{
    private void Complete(HttpContext context, HttpScopeFeature feature, Http2Exchange exchange, long received, long sent, TimeSpan duration)
    {
        if (_services.Telemetry is not { } telemetry)
        {
            return;
        }

        var request = context.Request;
        var response = context.Response;
        var labels = _services.Labels?.Invoke(feature.Scope, exchange.Table, exchange.Service, exchange.Endpoint) ?? feature.DefaultLabels(telemetry.Metrics);
        var status = response.HasStarted || exchange.Replied || (exchange.Flags & ResponseFlags.DownstreamConnectionTermination) == 0 ? response.StatusCode : 0;
        var log = new AccessLogEntry
        {
            StartTime = exchange.StartTime,
            Method = request.Method,
            Path = exchange.Path,
            Protocol = "HTTP/2",
            ForwardedFor = First(request.Headers, "x-forwarded-for"),
            UserAgent = First(request.Headers, "user-agent"),
            RequestId = First(request.Headers, "x-request-id"),
            Authority = request.Host.HasValue ? request.Host.Value : null,
            GeneratedRequestId = exchange.Fields.GeneratedRequestId,
            AppendedForwardedFor = exchange.Fields.AppendedForwardedFor,
            ResponseCode = status,
            Flags = exchange.Flags,
            BytesReceived = received,
            BytesSent = sent,
            DurationMilliseconds = (long)duration.TotalMilliseconds,
            UpstreamHost = exchange.Upstream,
            UpstreamCluster = exchange.Cluster,
            DownstreamLocalAddress = feature.DownstreamLocalAddress,
            DownstreamRemoteAddress = feature.DownstreamRemoteAddress,
            RouteName = exchange.RouteName,
        };
        telemetry.RequestCompleted(new CompletedRequest
        {
            Labels = exchange.Grpc ? _labels.ForGrpc(labels) : labels,
            Log = log,
            Duration = duration,
            GrpcStatus = exchange.Grpc ? GrpcStatusOf(context) : -1,
            Trace = exchange.Fields.Trace,
            Kind = exchange.Kind,
            SharedSpan = exchange.Fields.SharesCallerSpan,
        });
    }

    /// <summary>From the trailers, or from the headers of a trailers-only response (an error the server answered at once).</summary>
    private static int GrpcStatusOf(HttpContext context)
    {
        var trailers = context.Features.Get<IHttpResponseTrailersFeature>()?.Trailers;
        var value = trailers is not null && trailers.TryGetValue("grpc-status", out var fromTrailers) ? fromTrailers.ToString()
            : context.Response.Headers.TryGetValue("grpc-status", out var fromHeaders) ? fromHeaders.ToString() : null;
        return int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var status) ? status : -1;
    }

    private static string? First(IHeaderDictionary headers, string name) =>
        headers.TryGetValue(name, out var values) && values.Count > 0 ? values[0] : null;

    /// <summary>What one request became, gathered for its telemetry.</summary>
    private sealed class Http2Exchange
    {
        public DateTimeOffset StartTime { get; init; }

        public bool Grpc { get; set; }

        public string Path { get; set; } = "/";

        public string? Upstream { get; set; }

        public EndpointStats? Endpoint { get; set; }

        /// <summary>The snapshot and dialled service the request was routed with.</summary>
        public Waylay.Proxy.Routing.RouteTable? Table { get; set; }

        public ServiceRoute? Service { get; set; }

        public string? Cluster { get; set; }

        public string? RouteName { get; set; }

        /// <summary>The proxy's fields for the request (its span included).</summary>
        public ProxyFields Fields;

        public SpanKind Kind { get; set; }

        public ResponseFlags Flags { get; set; }

        public bool Replied { get; private set; }

        public Task ReplyAsync(HttpContext context, int status, ResponseFlags flag, string text)
        {
            Flags |= flag;
            Replied = true;
            return LocalReply.WriteAsync(context, Grpc, status, flag.ProxyErrorCode(), text);
        }
    }
}
