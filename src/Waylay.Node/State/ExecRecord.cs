namespace Waylay.Node.State;

/// <summary>
/// What <c>waylay exec</c> needs of a pod's containers, written by the supervisor when the pod starts
/// (<c>&lt;state&gt;/pods/&lt;pod&gt;/exec.json</c>): the exec runs in another process, which has no manifests, and
/// must run a command as the kubelet's exec would, as the container: its uid/gid, working directory and environment.
/// </summary>
internal sealed record ExecRecord(string Pod, string Namespace, string Hostname, string? DefaultContainer, IReadOnlyList<ExecContainer> Containers)
{
    /// <summary>The container <c>kubectl exec</c> picks without <c>-c</c>: the pod's
    /// <c>kubectl.kubernetes.io/default-container</c> annotation (the injector sets it to the app's), else the first
    /// app container (not an init container nor a native sidecar).</summary>
    public ExecContainer? Default =>
        Containers.FirstOrDefault(c => c.Name == DefaultContainer && c.Kind != ExecContainerKind.Init)
        ?? Containers.FirstOrDefault(c => c.Kind == ExecContainerKind.App);
}

/// <summary>One container as exec runs in its place; run from an image, the runc container (and runc's root) exec joins.</summary>
internal sealed record ExecContainer(
    string Name,
    ExecContainerKind Kind,
    uint? RunAsUser,
    uint? RunAsGroup,
    string? WorkingDirectory,
    IReadOnlyDictionary<string, string> Environment)
{
    public string? RuncContainer { get; init; }

    public string? RuncRoot { get; init; }
}

[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<ExecContainerKind>))]
internal enum ExecContainerKind
{
    App,
    Init,
    NativeSidecar,
}
