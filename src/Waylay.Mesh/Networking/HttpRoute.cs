namespace Waylay.Mesh.Networking;

/// <summary>
/// One <c>http[]</c> entry of a VirtualService: the first entry whose match holds takes the request (Istio's order).
/// </summary>
/// <param name="Match">Alternatives; empty means every request.</param>
/// <param name="Timeout">Null: no timeout (Istio's default for HTTP routes).</param>
/// <param name="Retries">Null: Istio's default policy applies (<see cref="HttpRetry.IstioDefault"/>).</param>
/// <param name="RewriteUri">Replaces the matched prefix (or the whole path for exact and regex matches), Envoy's <c>prefix_rewrite</c>.</param>
public sealed record HttpRoute(
    string? Name,
    IReadOnlyList<HttpMatchRequest> Match,
    IReadOnlyList<HttpRouteDestination> Route,
    TimeSpan? Timeout,
    HttpRetry? Retries,
    HttpFault? Fault,
    HeaderOperations Headers,
    string? RewriteUri);

/// <summary>One <c>tcp[]</c> entry: for opaque traffic, routed by the destination port only.</summary>
/// <param name="Ports">The ports of its match blocks; empty means any port.</param>
public sealed record TcpRoute(IReadOnlyList<ushort> Ports, IReadOnlyList<RouteDestination> Route);
