namespace Waylay.Node.Pods;

/// <summary>
/// One container as a process: argv (command then args), environment, the uid/gid of its securityContext (null: root,
/// as an image without USER), its working directory and its volume mounts.
/// </summary>
internal sealed record ContainerSpec(
    string Name,
    IReadOnlyList<string> Command,
    IReadOnlyDictionary<string, string> Environment,
    IReadOnlyList<VolumeMount> VolumeMounts)
{
    public uint? RunAsUser { get; init; }

    public uint? RunAsGroup { get; init; }

    public string? WorkingDirectory { get; init; }
}
