using Waylay.Node.Up;

namespace Waylay.Node.State;

/// <summary>
/// POD as every command takes it (<c>waylay exec</c>, <c>logs</c>): a pod's name, a unique prefix of one
/// (<c>productpage</c> for <c>productpage-v1-6b7f6d9c8d-x2x4q</c>) or the value of its <c>app</c> label, in the run
/// given with <c>--run</c> or else the newest one <c>waylay up</c> made. Pods are read from the supervisor's
/// <c>up/status.json</c>, the same list <c>waylay ps</c> shows. A name that fits several pods is refused with the
/// candidates listed, never guessed (<c>reviews</c> names three Deployments' pods).
/// </summary>
internal static class PodLookup
{
    /// <summary>The pod <paramref name="query"/> names, or a <see cref="PodLookupException"/> saying why none or which.</summary>
    public static FoundPod Find(string stateRoot, string? run, string query)
    {
        var id = run ?? NewestRun(stateRoot)
            ?? throw new PodLookupException($"no mesh is running (no run under {stateRoot}); start one with: waylay up samples/bookinfo");
        var directory = Path.Combine(stateRoot, id);
        var status = MeshStatus.TryRead(directory)
            ?? throw new PodLookupException($"--run {id}: no such run (no {MeshStatus.File(directory)}); list the runs with: ls {stateRoot}");
        var pods = status.Pods;
        var exact = pods.Where(p => p.Name == query).ToList();
        var matches = exact.Count > 0
            ? exact
            : pods.Where(p => p.Name.StartsWith(query, StringComparison.Ordinal) || p.Labels?.GetValueOrDefault("app") == query).ToList();
        return matches.Count switch
        {
            1 => new FoundPod(id, directory, matches[0]),
            0 => throw new PodLookupException(
                $"pod '{query}': no pod of run {id} has that name, a name starting with it or app={query}; its pods: {string.Join(", ", pods.Select(p => p.Name))}"),
            _ => throw new PodLookupException(
                $"pod '{query}' is ambiguous in run {id}: it names {string.Join(", ", matches.Select(p => p.Name))}; give more of the name"),
        };
    }

    /// <summary>The run <c>waylay up</c> made last (its <c>run.json</c> is written once, when it starts), or null.</summary>
    public static string? NewestRun(string stateRoot) =>
        RunDown.Runs(stateRoot)
            .Where(r => File.Exists(MeshStatus.File(Path.Combine(stateRoot, r))))
            .OrderByDescending(r => File.GetLastWriteTimeUtc(Path.Combine(stateRoot, r, "run.json")))
            .FirstOrDefault();
}

/// <summary>A pod found by <see cref="PodLookup"/>: its run and the run's state directory.</summary>
internal sealed record FoundPod(string Run, string StateDirectory, PodStatus Pod)
{
    public RunState State => new(StateDirectory);
}

/// <summary>POD cannot be used: it names no pod or several, or the pod (or its container) is not there to exec into
/// or read; the message lists what there is. The commands report it as a usage error.</summary>
internal sealed class PodLookupException(string message) : Exception(message);
