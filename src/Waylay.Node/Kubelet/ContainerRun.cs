using Waylay.Node.Processes;

namespace Waylay.Node.Kubelet;

/// <summary>
/// One run of a container as its probes judge it: its process and when the kubelet saw it start. A restart is a new
/// run, and every probe starts over with it (initialDelaySeconds, thresholds, not ready, not started).
/// </summary>
internal sealed record ContainerRun(ProcessIdentity Process, DateTimeOffset StartedAt);
