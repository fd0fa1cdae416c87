using Waylay.Mesh;
using Waylay.Proxy.LoadBalancing;

namespace Waylay.Proxy.Routing;

/// <summary>One service port as the router uses it: its endpoints resolved to addresses and its balancer.</summary>
internal sealed class ServiceRoute(Service service, ServicePort port, EndpointStats[] endpoints, EndpointStats[] healthy, ILoadBalancer balancer)
{
    public Service Service { get; } = service;

    public ServicePort Port { get; } = port;

    public string Key { get; } = service.Key;

    public EndpointStats[] Endpoints { get; } = endpoints;

    public EndpointStats[] Healthy { get; } = healthy;

    public ILoadBalancer Balancer { get; } = balancer;

    /// <summary>Null when no endpoint is healthy.</summary>
    public EndpointStats? Pick() => Healthy.Length == 0 ? null : Balancer.Pick(Healthy);
}
