using Waylay.Mesh;
using Waylay.Proxy.Http;
using Waylay.Proxy.Http.Routing;
using Waylay.Proxy.LoadBalancing;

namespace Waylay.Proxy.Routing;

/// <summary>One service port as the router uses it: its endpoints resolved to addresses and its balancer.</summary>
internal sealed class ServiceRoute(Service service, ServicePort port, EndpointStats[] endpoints, EndpointStats[] healthy, ILoadBalancer balancer, string host, HostRoutes hostRoutes)
{
    public Service Service { get; } = service;

    public ServicePort Port { get; } = port;

    public string Key { get; } = service.Key;

    public EndpointStats[] Endpoints { get; } = endpoints;

    public EndpointStats[] Healthy { get; } = healthy;

    public ILoadBalancer Balancer { get; } = balancer;

    /// <summary>The service's fully qualified name (<c>reviews.bookinfo.svc.cluster.local</c>), what VirtualServices name.</summary>
    public string Host { get; } = host;

    /// <summary>The HTTP routes for <see cref="Host"/>: its VirtualService, or the implicit route to every endpoint.</summary>
    public HostRoutes HostRoutes { get; } = hostRoutes;

    /// <summary>How connections to this port are handled: declared by name/appProtocol (Istio's rules), else sniffed.</summary>
    public DeclaredProtocol Protocol { get; } = PortProtocol.Of(port);

    /// <summary>Null when no endpoint is healthy.</summary>
    public EndpointStats? Pick() => Healthy.Length == 0 ? null : Balancer.Pick(Healthy);
}
