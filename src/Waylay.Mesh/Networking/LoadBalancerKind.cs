namespace Waylay.Mesh.Networking;

/// <summary>DestinationRule <c>trafficPolicy.loadBalancer.simple</c>, the values Waylay implements.</summary>
public enum LoadBalancerKind
{
    /// <summary>ROUND_ROBIN (Istio's historic default).</summary>
    RoundRobin,

    /// <summary>LEAST_REQUEST (and its deprecated alias LEAST_CONN): the less loaded of two random endpoints.</summary>
    LeastRequest,

    /// <summary>RANDOM.</summary>
    Random,
}
