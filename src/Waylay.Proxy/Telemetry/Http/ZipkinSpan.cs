using System.Net;
using Waylay.Proxy.Http.Headers;
using Waylay.Proxy.Connections;

namespace Waylay.Proxy.Telemetry.Http;

/// <summary>A Zipkin v2 endpoint: the proxy itself (local) or the peer it talked to (remote).</summary>
internal sealed record ZipkinEndpoint(string? ServiceName, IPAddress? Address = null, int Port = 0);

/// <summary>
/// One finished span as Zipkin v2 has it. The core builds one only for sampled requests
/// (<c>ProxyFields.Trace.Sampled</c>), so these strings cost nothing for the other 99 %.
/// </summary>
internal sealed record ZipkinSpan
{
    /// <summary>This hop's ids (<c>ProxyFields.Trace</c>): the span id, its parent, the trace id, debug.</summary>
    public required TraceContext Context { get; init; }

    public required SpanKind Kind { get; init; }

    /// <summary>Istio's operation name: <c>{service host}:{port}/*</c>.</summary>
    public required string Name { get; init; }

    public required DateTimeOffset Start { get; init; }

    public required TimeSpan Duration { get; init; }

    public required ZipkinEndpoint LocalEndpoint { get; init; }

    public ZipkinEndpoint? RemoteEndpoint { get; init; }

    /// <summary>A server span sharing its id with the caller's client span (Envoy's shared span context).</summary>
    public bool Shared { get; init; }

    public string? Method { get; init; }

    /// <summary><c>http://{authority}{path}</c>, Envoy's <c>http.url</c>.</summary>
    public string? Url { get; init; }

    public string? Protocol { get; init; }

    /// <summary>0 when no response was sent (then the span is an error, as Envoy marks it).</summary>
    public int StatusCode { get; init; }

    public string? UpstreamCluster { get; init; }

    public ResponseFlags Flags { get; init; }

    public string? RequestId { get; init; }

    public string? UserAgent { get; init; }

    public string? PeerAddress { get; init; }

    public long RequestSize { get; init; }

    public long ResponseSize { get; init; }

    /// <summary>Envoy sets <c>error: true</c> when there was no response or it was a 5xx.</summary>
    public bool IsError => StatusCode == 0 || StatusCode >= 500;
}
