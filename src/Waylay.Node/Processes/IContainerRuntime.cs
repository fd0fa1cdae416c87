using System.Diagnostics;
using Waylay.Node.Pods;

namespace Waylay.Node.Processes;

/// <summary>
/// The seam between a pod (its sandbox, network, volumes and the supervision of its containers) and what runs a
/// container (design.md, "The node runtime's seam"): processes of this machine in the pod's namespaces
/// (<see cref="ProcessContainerRuntime"/>), or images through runc (<see cref="Oci.OciContainerRuntime"/>). Pod
/// networking, restarts, logs and teardown stay the same whichever runs the container.
/// </summary>
internal interface IContainerRuntime
{
    /// <summary>
    /// Whether containers live in the pause process's mount namespace, so the sandbox mounts the volumes there
    /// (processes); false when each container has a root filesystem of its own and gets its mounts from the runtime.
    /// </summary>
    bool SharesPodMounts { get; }

    /// <summary>Starts one run of a container; returns once it is started, with the process to wait for (its exit
    /// code is the container's).</summary>
    Process Start(ContainerSpec container, ContainerContext context);

    /// <summary>Runs <paramref name="container"/>'s command inside the running container of that name (an exec probe,
    /// <c>kubectl exec</c>); the process ends with the command.</summary>
    Process Exec(ContainerSpec container, ContainerContext context);
}

/// <summary>Where a container runs: its pod, the pod's sandbox (pause) process whose namespaces it joins, its log file;
/// for a runtime with its own mounts, the pod's network namespace, its state directory (etc/ and volumes/) and where
/// each volume's contents are.</summary>
internal sealed record ContainerContext(string Pod, string Hostname, int PausePid, string LogFile)
{
    public string NetnsPath { get; init; } = "";

    public string PodDirectory { get; init; } = "";

    public IReadOnlyDictionary<string, string> VolumeSources { get; init; } = new Dictionary<string, string>();
}
