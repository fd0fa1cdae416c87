namespace Waylay.Mesh;

/// <summary>How a client spreads new connections over a service's endpoints (Istio's DestinationRule simple LB names).</summary>
public enum LoadBalancerPolicy
{
    /// <summary>ROUND_ROBIN: each healthy endpoint in turn.</summary>
    RoundRobin,

    /// <summary>LEAST_CONN (LEAST_REQUEST at L4): the healthy endpoint with the fewest active connections.</summary>
    LeastConnections,
}
