namespace Waylay.Node.Pods;

/// <summary>
/// A pod volume. <c>emptyDir</c> starts empty (mode 0777, as the kubelet makes it); <c>configMap</c>, <c>secret</c>
/// and <c>downwardAPI</c> carry their files, already resolved (relative path → content), written read-only for
/// everyone but the owner; <c>hostPath</c> names a directory of the machine and is refused unless allowed.
/// </summary>
internal sealed record PodVolume(string Name, VolumeKind Kind)
{
    public IReadOnlyDictionary<string, string> Files { get; init; } = new Dictionary<string, string>();

    public string? HostPath { get; init; }

    public static PodVolume EmptyDir(string name) => new(name, VolumeKind.EmptyDir);
}

internal enum VolumeKind
{
    EmptyDir,
    ConfigMap,
    Secret,
    DownwardApi,
    HostPath,
}
