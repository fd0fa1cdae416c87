namespace Waylay.Node.Pods;

/// <summary>
/// The parts of a container's securityContext that only a runtime with images enforces (the OCI runtime; a process of
/// this machine runs with its uid/gid alone): capabilities added to and dropped from the runtime's default set
/// (names without <c>CAP_</c>, <c>ALL</c> allowed), a read-only root filesystem, no privilege escalation
/// (no_new_privs), privileged.
/// </summary>
internal sealed record ContainerSecurity(
    IReadOnlyList<string> AddCapabilities,
    IReadOnlyList<string> DropCapabilities,
    bool ReadOnlyRootFilesystem,
    bool AllowPrivilegeEscalation,
    bool Privileged)
{
    /// <summary>No securityContext: the runtime's default capabilities, a writable root, escalation allowed (Kubernetes' defaults).</summary>
    public static ContainerSecurity Default { get; } = new([], [], false, true, false);
}
