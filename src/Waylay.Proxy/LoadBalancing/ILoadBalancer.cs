using Waylay.Mesh;
using Waylay.Mesh.Networking;

namespace Waylay.Proxy.LoadBalancing;

/// <summary>
/// Picks one endpoint among a cluster's candidates, for a TCP connection and an HTTP request alike. Each cluster has
/// its own instance (round robin keeps a position); randomness comes from the caller, seeded in tests.
/// </summary>
internal interface ILoadBalancer
{
    /// <summary>Istio's name for the policy (<c>ROUND_ROBIN</c>, <c>LEAST_REQUEST</c>, …), as <c>/clusters</c> shows it.</summary>
    string Name { get; }

    EndpointStats Pick(in Candidates candidates, Random random);
}

/// <summary>
/// The balancers by name. A DestinationRule's <c>loadBalancer.simple</c> chooses; without one (ROUND_ROBIN, the
/// default) the service's own <c>loadBalancer</c> in mesh.yaml does.
/// </summary>
internal static class LoadBalancers
{
    public static string NameOf(LoadBalancerKind rule, LoadBalancerPolicy service) => rule switch
    {
        LoadBalancerKind.LeastRequest => LeastRequestBalancer.PolicyName,
        LoadBalancerKind.Random => RandomBalancer.PolicyName,
        _ when service == LoadBalancerPolicy.LeastConnections => LeastConnectionsBalancer.PolicyName,
        _ => RoundRobinBalancer.PolicyName,
    };

    public static ILoadBalancer Create(string name) => name switch
    {
        LeastRequestBalancer.PolicyName => new LeastRequestBalancer(),
        RandomBalancer.PolicyName => new RandomBalancer(),
        LeastConnectionsBalancer.PolicyName => new LeastConnectionsBalancer(),
        RoundRobinBalancer.PolicyName => new RoundRobinBalancer(),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "no such load balancer: use ROUND_ROBIN, LEAST_REQUEST, RANDOM or LEAST_CONN"),
    };
}
