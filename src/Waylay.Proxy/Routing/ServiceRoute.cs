using Waylay.Mesh;
using Waylay.Mesh.Networking;
using Waylay.Proxy.LoadBalancing;

namespace Waylay.Proxy.Routing;

/// <summary>
/// One service port in one snapshot: its endpoints resolved to addresses, its HTTP routes, and the protocol its
/// connections are taken for. Endpoints are chosen through the service's clusters (<see cref="UpstreamSelector"/>),
/// never here.
/// </summary>
internal sealed class ServiceRoute(Service service, ServicePort port, EndpointStats[] endpoints, EndpointStats[] healthy, string host, HostRoutes hostRoutes, DestinationRule? rule)
{
    public Service Service { get; } = service;

    public ServicePort Port { get; } = port;

    public string Key { get; } = service.Key;

    public EndpointStats[] Endpoints { get; } = endpoints;

    /// <summary>The healthy endpoints: a new array per snapshot, which is how a cluster sees that its members changed.</summary>
    public EndpointStats[] Healthy { get; } = healthy;

    /// <summary>The service's fully qualified name (<c>reviews.bookinfo.svc.cluster.local</c>), what VirtualServices name.</summary>
    public string Host { get; } = host;

    /// <summary>The HTTP routes for <see cref="Host"/>: its VirtualService, or the implicit route to every endpoint.</summary>
    public HostRoutes HostRoutes { get; } = hostRoutes;

    /// <summary>The service itself, no subset: where a TCP connection goes that no <c>tcp</c> route sends elsewhere.</summary>
    public RouteTarget Self { get; } = new(new Destination(host, null, null), 100, rule, HeaderEdits.None, HeaderEdits.None);

    /// <summary>How connections to this port are handled: declared by name/appProtocol (Istio's rules), else sniffed.</summary>
    public DeclaredProtocol Protocol { get; } = PortProtocol.Of(port);

    /// <summary>
    /// The destination of an opaque (TCP) connection: the VirtualService's first <c>tcp</c> route for this port
    /// (weighted), else the service itself.
    /// </summary>
    public RouteTarget TcpTarget(Random random) => HostRoutes.SelectTcp(Port.Port, random) ?? Self;
}
