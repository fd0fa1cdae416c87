using Waylay.Node.Processes;
using Waylay.Node.State;

namespace Waylay.Node.Up;

/// <summary>
/// What <c>waylay up</c>'s supervisor tells the world, in <c>&lt;state&gt;/up/</c>: its own process (PID + start
/// time, so <c>waylay down</c> never signals a reused PID) and the run's status (phase, the forwarder's URL, every
/// pod), rewritten atomically on every change. <c>waylay up</c> (the waiting parent) and <c>waylay ps</c> read it.
/// </summary>
internal sealed record MeshStatus(string Phase, string? Message, string? Url, IReadOnlyList<PodStatus> Pods)
{
    public const string Starting = "Starting";
    public const string Ready = "Ready";
    public const string Failed = "Failed";

    public static string File(string stateDirectory) => Path.Combine(stateDirectory, "up", "status.json");

    public static string SupervisorFile(string stateDirectory) => Path.Combine(stateDirectory, "up", "supervisor.json");

    public static string LogFile(string stateDirectory) => Path.Combine(stateDirectory, "up.log");

    public static MeshStatus? TryRead(string stateDirectory)
    {
        try
        {
            return System.IO.File.Exists(File(stateDirectory)) ? RunState.Read<MeshStatus>(File(stateDirectory)) : null;
        }
        catch (Exception e) when (e is IOException or System.Text.Json.JsonException)
        {
            return null; // removed or replaced while read: the caller polls again
        }
    }

    public static ProcessIdentity? Supervisor(string stateDirectory)
    {
        try
        {
            return System.IO.File.Exists(SupervisorFile(stateDirectory)) ? RunState.Read<ProcessIdentity>(SupervisorFile(stateDirectory)) : null;
        }
        catch (Exception e) when (e is IOException or System.Text.Json.JsonException)
        {
            return null;
        }
    }
}

/// <summary>One pod as <c>waylay ps</c> shows it; its labels let a command name it by its <c>app</c> (<c>State/PodLookup.cs</c>).</summary>
internal sealed record PodStatus(string Namespace, string Name, string Node, string? Ip, string Phase, bool Ready, string Workload)
{
    public IReadOnlyDictionary<string, string>? Labels { get; init; }
}
