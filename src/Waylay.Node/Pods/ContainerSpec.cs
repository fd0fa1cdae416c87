namespace Waylay.Node.Pods;

/// <summary>
/// One container as a process: argv (command then args), environment, the uid/gid of its securityContext (null: root,
/// as an image without USER), its working directory and its volume mounts; run from an image, the image and the rest of its securityContext.
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

    /// <summary>The image from the store whose root filesystem the container runs on (the OCI runtime); null for a
    /// program of this machine (the process runtime).</summary>
    public Images.Store.StoredImage? Image { get; init; }

    public ContainerSecurity Security { get; init; } = ContainerSecurity.Default;
}
