using Waylay.Mesh;

namespace Waylay.Proxy.LoadBalancing;

/// <summary>Picks the endpoint for a new connection among a service's healthy endpoints (never empty).</summary>
internal interface ILoadBalancer
{
    EndpointStats Pick(EndpointStats[] healthy);
}

/// <summary>Looks a balancer up by the policy the mesh model names; each service route gets its own instance.</summary>
internal static class LoadBalancers
{
    public static ILoadBalancer Create(LoadBalancerPolicy policy, int seed) => policy switch
    {
        LoadBalancerPolicy.LeastConnections => new LeastConnectionsBalancer(seed),
        _ => new RoundRobinBalancer(seed),
    };
}
