namespace Waylay.Node.Processes;

/// <summary>
/// Where a container is, as the kubelet reports it: running (with its process), waiting to be restarted (the back-off
/// it waits), or terminated for good (its last exit code). <see cref="RestartCount"/> counts restarts, not starts.
/// </summary>
internal sealed record ContainerStatus(ContainerState State, int RestartCount, ProcessIdentity? Process, int? LastExitCode, TimeSpan? Backoff);

internal enum ContainerState
{
    Running,
    Waiting,
    Terminated,
}
