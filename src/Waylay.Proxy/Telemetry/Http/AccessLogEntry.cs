using Waylay.Proxy.Http.Http1;
using Waylay.Proxy.Connections;

namespace Waylay.Proxy.Telemetry.Http;

/// <summary>
/// What one request's access log line says. Request fields are read from <see cref="Request"/> while
/// <see cref="AccessLog.Write"/> runs (the line is formatted then, before the head is reused), so no header becomes a
/// string; paths without an HTTP/1 head (h2) set the string properties instead. Addresses are strings the core makes
/// once per connection. Null or empty prints <c>-</c> (text) or <c>null</c> (JSON).
/// </summary>
internal readonly struct AccessLogEntry
{
    public required DateTimeOffset StartTime { get; init; }

    /// <summary>The request as received; method, path, x-forwarded-for, user-agent, x-request-id and authority come from it.</summary>
    public Http1RequestHead? Request { get; init; }

    public string? Method { get; init; }

    /// <summary>The path as received (Envoy logs <c>x-envoy-original-path</c> when a rewrite left one, else <c>:path</c>).</summary>
    public string? Path { get; init; }

    /// <summary>"HTTP/1.1", "HTTP/1.0", "HTTP/2".</summary>
    public string? Protocol { get; init; }

    public string? ForwardedFor { get; init; }

    public string? UserAgent { get; init; }

    public string? RequestId { get; init; }

    public string? Authority { get; init; }

    /// <summary><c>ProxyFields.GeneratedRequestId</c>: the id the proxy added, logged when the request had none.</summary>
    public string? GeneratedRequestId { get; init; }

    /// <summary><c>ProxyFields.AppendedForwardedFor</c>: logged after the received list, as Envoy logs the mutated header.</summary>
    public string? AppendedForwardedFor { get; init; }

    /// <summary>0 when no response was sent (Envoy's value).</summary>
    public int ResponseCode { get; init; }

    public ResponseFlags Flags { get; init; }

    public long BytesReceived { get; init; }

    public long BytesSent { get; init; }

    public long DurationMilliseconds { get; init; }

    /// <summary>What the proxy puts in <c>x-envoy-upstream-service-time</c>: ms from the upstream request to its response head.</summary>
    public long? UpstreamServiceTimeMilliseconds { get; init; }

    public string? UpstreamHost { get; init; }

    public string? UpstreamCluster { get; init; }

    public string? UpstreamLocalAddress { get; init; }

    public string? DownstreamLocalAddress { get; init; }

    public string? DownstreamRemoteAddress { get; init; }

    public string? RequestedServerName { get; init; }

    public string? RouteName { get; init; }
}
