using System.Net;
using Waylay.Proxy.Http.Routing;
using Waylay.Proxy.Routing;

namespace Waylay.Proxy.Http;

/// <summary>
/// PLACEHOLDER (wt-h2): the lead defines the real HttpScope on main; on merge take main's version and point the
/// h2 gateway at <c>Service.HostRoutes</c>. What one captured HTTP connection was decided to be before any request.
/// </summary>
internal sealed class HttpScope
{
    public required ConnectionContext Connection { get; init; }

    public required TrafficDirection Direction { get; init; }

    /// <summary>Outbound: the service whose address:port was dialled.</summary>
    public ServiceRoute? Service { get; init; }

    /// <summary>Outbound: the VirtualService routes for <see cref="Service"/>'s host.</summary>
    public HostRoutes? HostRoutes { get; init; }

    /// <summary>Inbound: where the app is.</summary>
    public IPEndPoint? InboundTarget { get; init; }

    /// <summary>Inbound with --inbound-to pod-ip: the source to bind (127.0.0.6 / ::6).</summary>
    public IPEndPoint? InboundSource { get; init; }

    public required RouteTable Table { get; init; }
}
