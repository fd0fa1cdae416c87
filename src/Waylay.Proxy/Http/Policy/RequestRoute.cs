using Waylay.Mesh.Networking;
using Waylay.Proxy.Listeners;
using Waylay.Proxy.Routing;
using Waylay.Proxy.Connections;

namespace Waylay.Proxy.Http.Policy;

/// <summary>
/// The route stage of one outbound request, the same for HTTP/1 and h2 (Envoy's router filter before it picks a host):
/// <code>
///   route: by Host on a gateway's port, else among the dialled service's VirtualService routes
///   ──► not routed: 404 NR (no route matched) / 503 NC (a subset no DestinationRule defines)
///   ──► fault: delay (DI) and abort (FI) drawn independently; an abort answers with its status, nothing goes upstream
///   ──► rewrite: the path the request goes upstream with (rewrite.uri), the route target's header edits
/// </code>
/// A struct over the route's immutable build-time objects: deciding allocates nothing unless the route rewrites.
/// The codecs only do the waiting and the answering (<see cref="Refusal"/>, <see cref="Fault"/>).
/// </summary>
internal readonly record struct RequestRoute(RouteSelection Selection, FaultDecision Fault, string ForwardedPath)
{
    /// <summary>An inbound request: no route, no fault, one try, the path as received.</summary>
    public static RequestRoute Inbound(string pathAndQuery) => new(default, default, pathAndQuery);

    /// <summary>
    /// Routes <paramref name="request"/> (its path already normalized) and decides its fault. In gateway mode the
    /// request's Host picks the VirtualService; otherwise the service dialled does.
    /// </summary>
    public static RequestRoute Select(GatewayBinding? gateway, RouteTable table, ServiceRoute? service, ReadOnlySpan<byte> authority, in RouteRequest request,
        Random random)
    {
        var selection = gateway is not null
            ? gateway.Select(table, authority, request, random)
            : service!.HostRoutes.Select(request, random);
        if (selection.Outcome != RouteOutcome.Routed)
        {
            return new RequestRoute(selection, default, request.PathAndQuery);
        }

        var fault = selection.DecideFault(random);
        return new RequestRoute(selection, fault, fault.AbortStatus is null ? selection.RewritePath(request.PathAndQuery) : request.PathAndQuery);
    }

    public bool IsRouted => Selection.Outcome == RouteOutcome.Routed;

    /// <summary>The answer to a request no route took: 404 NR or 503 NC, as Envoy gives them.</summary>
    public (int Status, ResponseFlags Flag) Refusal => Selection.Outcome == RouteOutcome.NoRoute
        ? (404, ResponseFlags.NoRouteFound)
        : (503, ResponseFlags.NoClusterFound);

    /// <summary>The retry decisions of this request's tries (an inbound request or one without a route: one try).</summary>
    public RetryPolicy Retry => new(Selection.Retries);

    /// <summary>The route's timeout over all tries, or none.</summary>
    public TimeSpan? Timeout => Selection.Timeout;

    /// <summary>The route target's request header edits (none inbound).</summary>
    public HeaderEdits RequestEdits => Selection.Target?.RequestEdits ?? HeaderEdits.None;

    /// <summary>The route target's response header edits (none inbound).</summary>
    public HeaderEdits ResponseEdits => Selection.Target?.ResponseEdits ?? HeaderEdits.None;
}
