using System.Net;
using Waylay.Proxy.Connections;

namespace Waylay.Proxy.Routing;

/// <summary>
/// What the router decided for one connection, from its original destination: the service it dialled (whose endpoint
/// is chosen later, once), the app inbound or the original destination (a <see cref="Target"/> to connect to, and
/// from), or why it is refused. Later steps (protocol, HTTP and TCP routes, metrics) never look the original
/// destination up again.
/// </summary>
internal readonly record struct RouteDecision(
    RouteKind Kind,
    TrafficDirection Direction,
    string ServiceKey,
    IPEndPoint? Target = null,
    IPEndPoint? Source = null,
    ServiceRoute? Service = null)
{
    public bool IsRefused => Kind is RouteKind.RefusedLoop or RouteKind.RefusedNotRedirected;
}

internal enum RouteKind
{
    /// <summary>To the app in this pod.</summary>
    Inbound,

    /// <summary>To a known service: one of its endpoints (or a route's destination), chosen after the protocol.</summary>
    Service,

    /// <summary>Not a known service: on to the original destination unchanged.</summary>
    Passthrough,

    /// <summary>The original destination is one of the proxy's own listeners: relaying would loop.</summary>
    RefusedLoop,

    /// <summary>Dialled straight to the capture port, not redirected: there is no destination to relay to.</summary>
    RefusedNotRedirected,
}
