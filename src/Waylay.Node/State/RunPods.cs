using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Waylay.Node.Up;

namespace Waylay.Node.State;

/// <summary>
/// Finds a pod of a running mesh (<c>waylay up</c>) the way a user names it: its full name
/// (<c>productpage-v1-566d69559-ffnjd</c>), its <c>app</c> label (<c>productpage</c>) or a unique prefix of its name
/// (<c>productpage-v1</c>), in the only live run or the one given. Every miss says what is there instead, so the next
/// command can be typed from the message. Beside <c>waylay exec</c>/<c>logs</c>' POD lookup (issue 17), this one
/// also loads what diagnostics need: the sandbox record (network namespace, CNI result), the containers and the pod
/// object <c>waylay up</c> recorded.
/// </summary>
internal static class RunPods
{
    public const string DefaultStateRoot = "/run/waylay";

    /// <summary>The run a command means: <paramref name="run"/> (with or without its <c>wl-</c> prefix), else the only live one.</summary>
    public static string RunDirectory(string? run, string command, string stateRoot = DefaultStateRoot)
    {
        var live = RunDown.Runs(stateRoot).Where(r => Directory.Exists(Path.Combine(stateRoot, r, "up"))).ToList();
        if (run is not null)
        {
            var id = run.StartsWith("wl-", StringComparison.Ordinal) ? run[3..].TrimEnd('-') : run;
            var directory = Path.Combine(stateRoot, id);
            return File.Exists(Path.Combine(directory, "run.json"))
                ? directory
                : throw new RunPodException($"--run {run}: no such run (no {directory}/run.json); {Live(live)}");
        }

        return live.Count switch
        {
            0 => throw new RunPodException($"{command}: no mesh is running; start one with: waylay up samples/bookinfo"),
            1 => Path.Combine(stateRoot, live[0]),
            _ => throw new RunPodException($"{command}: {live.Count} runs are live ({string.Join(", ", live)}); name one with --run {live[0]}"),
        };
    }

    /// <summary>
    /// The pod <paramref name="query"/> names in the run at <paramref name="runDirectory"/>; with
    /// <paramref name="kubeNamespace"/> (<c>-n</c>), only among that namespace's pods.
    /// </summary>
    public static RunPod Find(string runDirectory, string query, string? kubeNamespace = null)
    {
        var state = new RunState(runDirectory);
        var pods = state.Pods().ToList();
        var id = Path.GetFileName(runDirectory);
        if (pods.Count == 0)
        {
            throw new RunPodException($"pod {query}: run {id} has no pods (yet); see: waylay ps {id}");
        }

        if (kubeNamespace is not null)
        {
            var all = pods;
            pods = [.. pods.Where(p => Load(state, p).KubeNamespace == kubeNamespace)];
            if (pods.Count == 0)
            {
                var namespaces = all.Select(p => Load(state, p).KubeNamespace).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
                throw new RunPodException($"-n {kubeNamespace}: run {id} has no pod in that namespace; its namespaces: {string.Join(", ", namespaces)}");
            }
        }

        var exact = pods.Where(p => p.Name == query).ToList();
        var byApp = exact.Count > 0 ? exact : pods.Where(p => App(state, p.Name) == query).ToList();
        var matches = byApp.Count > 0 ? byApp : pods.Where(p => p.Name.StartsWith(query, StringComparison.Ordinal)).ToList();
        return matches.Count switch
        {
            1 => Load(state, matches[0]),
            0 => throw new RunPodException($"pod {query}: no pod of run {id}{(kubeNamespace is null ? "" : $" in namespace {kubeNamespace}")} has that name, app label or name prefix; its pods: {string.Join(", ", pods.Select(p => p.Name).Order(StringComparer.Ordinal))}"),
            _ => throw new RunPodException($"pod {query}: {matches.Count} pods of run {id} match; name one of: {string.Join(", ", matches.Select(p => p.Name).Order(StringComparer.Ordinal))}"),
        };
    }

    /// <summary>Every pod of the run, loaded (for names on addresses).</summary>
    public static IReadOnlyList<RunPod> All(string runDirectory)
    {
        var state = new RunState(runDirectory);
        return [.. state.Pods().Select(p => Load(state, p))];
    }

    private static string? App(RunState state, string pod) =>
        Manifest(state, pod)?["metadata"]?["labels"]?["app"]?.GetValue<string>();

    private static JsonObject? Manifest(RunState state, string pod) =>
        File.Exists(state.ManifestFile(pod)) ? JsonNode.Parse(File.ReadAllText(state.ManifestFile(pod))) as JsonObject : null;

    private static RunPod Load(RunState state, PodRecord pod)
    {
        var address = pod.CniResult?["ips"]?[0]?["address"]?.GetValue<string>() is { } cidr
            ? IPAddress.Parse(cidr.Split('/')[0])
            : null;
        var manifest = Manifest(state, pod.Name);
        var kubeNamespace = manifest?["metadata"]?["namespace"]?.GetValue<string>() ?? (pod.Name == "kube-dns" ? "kube-system" : "default");
        return new RunPod(state, pod, kubeNamespace, address, manifest, [.. state.Containers(pod.Name)]);
    }

    private static string Live(IReadOnlyList<string> live) =>
        live.Count == 0 ? "no run is live" : "live runs: " + string.Join(", ", live);
}

/// <summary>A pod found in a run's state: its sandbox record, address, object (when <c>waylay up</c> wrote it) and containers.</summary>
internal sealed record RunPod(RunState Run, PodRecord Record, string KubeNamespace, IPAddress? Address, JsonObject? Manifest, IReadOnlyList<ContainerRecord> Containers)
{
    public string Name => Record.Name;

    public string RunId => Path.GetFileName(Run.Directory);

    /// <summary>The pod's network namespace as a path nsenter takes.</summary>
    public string NetnsPath => Namespaces.NetworkNamespaces.PathOf(Record.Namespace);

    public IReadOnlyDictionary<string, string> Labels =>
        Manifest?["metadata"]?["labels"] is JsonObject labels
            ? labels.ToDictionary(l => l.Key, l => l.Value?.ToString() ?? "", StringComparer.Ordinal)
            : new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>A container's live process id, or null when it is not running (an init container that finished).</summary>
    public int? Pid(string container) =>
        Containers.FirstOrDefault(c => c.Name == container)?.Process is { IsAlive: true } process ? process.Pid : null;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{KubeNamespace}/{Name}");
}

/// <summary>A pod or run that is not there (or not only one): a usage error naming what is.</summary>
internal sealed class RunPodException(string message) : Exception(message);
