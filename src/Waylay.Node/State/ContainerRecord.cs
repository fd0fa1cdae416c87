using Waylay.Node.Processes;

namespace Waylay.Node.State;

/// <summary>A container's current process (PID and start time, so a stale PID is never signalled) and its restarts.</summary>
internal sealed record ContainerRecord(string Pod, string Name, ProcessIdentity? Process, int RestartCount);
