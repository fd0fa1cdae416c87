namespace Waylay.Node.Pods;

/// <summary>
/// What the runtime needs of a pod, already resolved: containers with their commands (images mapped to programs),
/// volumes with their files (configMap, secret and downwardAPI contents looked up), the DNS settings for resolv.conf.
/// <c>waylay up</c> builds it from the (injected) Kubernetes pod.
/// </summary>
internal sealed record PodSpec(
    string Name,
    IReadOnlyList<ContainerSpec> Containers,
    IReadOnlyList<PodVolume> Volumes,
    RestartPolicy RestartPolicy,
    PodDns Dns)
{
    /// <summary>The pod's hostname (Kubernetes: spec.hostname, else the pod's name).</summary>
    public string? Hostname { get; init; }

    public string EffectiveHostname => Hostname ?? Name;
}
