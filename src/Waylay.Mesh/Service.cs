using System.Net;

namespace Waylay.Mesh;

/// <summary>A Kubernetes-style service: a name, the virtual addresses clients dial, its ports and its endpoints.</summary>
/// <param name="Addresses">ClusterIPs (IPv4 and/or IPv6); a connection to one of them on a service port is this service's.</param>
public sealed record Service(
    string Name,
    string Namespace,
    IReadOnlyList<IPAddress> Addresses,
    IReadOnlyList<ServicePort> Ports,
    IReadOnlyList<Endpoint> Endpoints,
    LoadBalancerPolicy LoadBalancer = LoadBalancerPolicy.RoundRobin)
{
    /// <summary>"name.namespace", the service's key in metrics, logs and the admin API.</summary>
    public string Key => $"{Name}.{Namespace}";

    /// <summary>The <c>networking.istio.io/exportTo</c> annotation (<see cref="Networking.ExportTo"/>); empty means every namespace.</summary>
    public IReadOnlyList<string> ExportTo { get; init; } = [];
}
