using Waylay.Proxy.Http.Headers;

namespace Waylay.Proxy.Telemetry.Http;

/// <summary>Everything <see cref="HttpTelemetry.RequestCompleted"/> needs about one finished request (or synthetic answer).</summary>
internal readonly struct CompletedRequest
{
    /// <summary>Interned once per connection or route (<see cref="IstioMetrics.Intern"/>).</summary>
    public required IstioLabels Labels { get; init; }

    /// <summary>The access log's view; its code, flags and byte counts feed the metrics and the span too.</summary>
    public required AccessLogEntry Log { get; init; }

    /// <summary>From the request's first byte to its last response byte (<c>TimeProvider.GetElapsedTime</c>).</summary>
    public required TimeSpan Duration { get; init; }

    /// <summary><c>ProxyFields.Trace</c>: a span is reported when it is sampled.</summary>
    public TraceContext? Trace { get; init; }

    public SpanKind Kind { get; init; }

    /// <summary><c>ProxyFields.SharesCallerSpan</c>.</summary>
    public bool SharedSpan { get; init; }

    /// <summary>Istio's span name, <c>{service host}:{port}/*</c>; made once per route.</summary>
    public string? SpanName { get; init; }

    /// <summary>The peer: the upstream endpoint for a client span, the caller for a server span.</summary>
    public ZipkinEndpoint? RemoteEndpoint { get; init; }

    /// <summary><c>grpc-status</c> of a gRPC response, -1 otherwise.</summary>
    public int GrpcStatus { get; init; }
}
