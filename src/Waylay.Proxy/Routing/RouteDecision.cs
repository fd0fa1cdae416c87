using System.Net;
using Waylay.Proxy.LoadBalancing;

namespace Waylay.Proxy.Routing;

/// <summary>
/// What the router decided for one connection: a target to connect to (and from), or why not; for a known service, the
/// service route too, so later steps (HTTP, tcp routes, metrics) never look the original destination up again.
/// </summary>
internal readonly record struct RouteDecision(
    RouteKind Kind,
    TrafficDirection Direction,
    string ServiceKey,
    IPEndPoint? Target = null,
    IPEndPoint? Source = null,
    EndpointStats? Endpoint = null,
    ServiceRoute? Service = null)
{
    public bool IsRefused => Kind is RouteKind.RefusedLoop or RouteKind.RefusedNotRedirected or RouteKind.NoHealthyEndpoint;
}

internal enum RouteKind
{
    /// <summary>To the app in this pod.</summary>
    Inbound,

    /// <summary>To an endpoint of a known service.</summary>
    Service,

    /// <summary>Not a known service: on to the original destination unchanged.</summary>
    Passthrough,

    /// <summary>The original destination is one of the proxy's own listeners: relaying would loop.</summary>
    RefusedLoop,

    /// <summary>Dialled straight to the capture port, not redirected: there is no destination to relay to.</summary>
    RefusedNotRedirected,

    /// <summary>A known service with no healthy endpoint.</summary>
    NoHealthyEndpoint,
}
