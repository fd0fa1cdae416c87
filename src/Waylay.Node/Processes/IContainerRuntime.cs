using System.Diagnostics;
using Waylay.Node.Pods;

namespace Waylay.Node.Processes;

/// <summary>
/// The seam between a pod (its sandbox, network, mounts and the supervision of its containers) and what runs a
/// container (design.md, "The node runtime's seam"): processes in the pod's namespaces now
/// (<see cref="ProcessContainerRuntime"/>), an OCI runtime (runc, containerd) next. Pod networking, restarts and
/// teardown stay the same whichever runs the container.
/// </summary>
internal interface IContainerRuntime
{
    /// <summary>Starts one run of a container; returns once it is started, with the process to wait for.</summary>
    Process Start(ContainerSpec container, ContainerContext context);
}

/// <summary>Where a container runs: its pod, the pod's sandbox (pause) process whose namespaces it joins, its log file.</summary>
internal sealed record ContainerContext(string Pod, string Hostname, int PausePid, string LogFile);
