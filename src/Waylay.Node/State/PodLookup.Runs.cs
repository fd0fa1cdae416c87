using Waylay.Node.Up;

namespace Waylay.Node.State;

/// <summary>Which run a command means: the one given, else the one live.</summary>
internal static partial class PodLookup
{
    /// <summary>The runs <c>waylay up</c> made and has not removed (they have <c>up/</c>, the supervisor's directory).</summary>
    public static IReadOnlyList<string> LiveRuns(string stateRoot) =>
        [.. RunDown.Runs(stateRoot).Where(r => Directory.Exists(Path.Combine(stateRoot, r, "up")))];

    /// <summary>The state directory of <paramref name="run"/> (with or without its <c>wl-</c> prefix), else of the only live run.</summary>
    public static string RunDirectory(string? run, string stateRoot = DefaultStateRoot)
    {
        if (run is not null)
        {
            var id = run.StartsWith("wl-", StringComparison.Ordinal) ? run[3..].TrimEnd('-') : run;
            var directory = Path.Combine(stateRoot, id);
            return File.Exists(Path.Combine(directory, "run.json"))
                ? directory
                : throw new PodLookupException($"--run {run}: no such run (no {directory}/run.json); {Runs(stateRoot)}");
        }

        var live = LiveRuns(stateRoot);
        return live.Count switch
        {
            1 => Path.Combine(stateRoot, live[0]),
            0 => throw new PodLookupException($"no mesh is running; start one with: waylay up samples/bookinfo{Others(stateRoot)}"),
            _ => throw new PodLookupException($"{live.Count} runs are live ({string.Join(", ", live)}); pick one with --run {live[0]}"),
        };
    }

    private static string Runs(string stateRoot)
    {
        var runs = RunDown.Runs(stateRoot);
        return runs.Count == 0 ? "no run exists; start one with: waylay up samples/bookinfo" : $"the runs: {string.Join(", ", runs)}";
    }

    /// <summary>Runs that are not live (made without <c>waylay up</c>, or left by a supervisor that died) can still be named.</summary>
    private static string Others(string stateRoot) =>
        RunDown.Runs(stateRoot) is { Count: > 0 } runs ? $", or pick one of the runs not made by waylay up with --run {string.Join(" | ", runs)}" : "";
}
