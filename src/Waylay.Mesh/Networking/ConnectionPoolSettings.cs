namespace Waylay.Mesh.Networking;

/// <summary>
/// DestinationRule <c>trafficPolicy.connectionPool</c>, flattened (Istio replaces the whole block when a subset or
/// port overrides it, never field by field). Null means "not set": unlimited, as Envoy's defaults under Istio are.
/// </summary>
/// <param name="MaxConnections"><c>tcp.maxConnections</c>: upstream connections to the whole destination.</param>
/// <param name="Http1MaxPendingRequests"><c>http.http1MaxPendingRequests</c>: requests waiting for a pooled connection.</param>
/// <param name="MaxRequestsPerConnection"><c>http.maxRequestsPerConnection</c>: 1 disables keep-alive; 0/null unlimited.</param>
/// <param name="IdleTimeout"><c>http.idleTimeout</c>: an upstream connection idle this long is closed.</param>
/// <param name="Http2MaxRequests">
/// <c>http.http2MaxRequests</c>: requests in flight to the whole destination (Envoy's <c>max_requests</c> circuit
/// breaker; despite the name Istio applies it to HTTP/1.1 too).
/// </param>
public sealed record ConnectionPoolSettings(
    int? MaxConnections,
    int? Http1MaxPendingRequests,
    int? MaxRequestsPerConnection,
    TimeSpan? IdleTimeout,
    int? Http2MaxRequests = null)
{
    public static ConnectionPoolSettings Unlimited { get; } = new(null, null, null, null);
}
