using Microsoft.Extensions.Logging;

namespace Waylay.Node.Up;

/// <summary>
/// <c>waylay down</c>: stops a run's supervisor by its recorded identity (PID and start time: a reused PID is never
/// signalled), which tears down what it runs; then <see cref="RunTeardown"/> from the state directory, which also
/// finishes the job after a crash or a supervisor killed mid-teardown.
/// </summary>
internal static class RunDown
{
    /// <summary>The supervisor gets this long to tear down itself before SIGKILL (then the teardown here does it).</summary>
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(60);

    /// <summary>Every run with a state directory under <paramref name="stateRoot"/>.</summary>
    public static IReadOnlyList<string> Runs(string stateRoot) =>
        Directory.Exists(stateRoot)
            ? [.. Directory.GetDirectories(stateRoot).Where(d => File.Exists(Path.Combine(d, "run.json"))).Select(Path.GetFileName).Order(StringComparer.Ordinal)!]
            : [];

    /// <summary>Removes the run; false when there was nothing of it.</summary>
    public static async Task<bool> DownAsync(string stateDirectory, ILoggerFactory? loggers, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(stateDirectory))
        {
            return false;
        }

        if (MeshStatus.Supervisor(stateDirectory) is { } supervisor && supervisor.Pid != Environment.ProcessId)
        {
            await supervisor.StopAsync(Grace, TimeProvider.System, cancellationToken);
        }

        await NodeRuntime.TeardownAsync(stateDirectory, loggers, cancellationToken);
        return true;
    }
}
