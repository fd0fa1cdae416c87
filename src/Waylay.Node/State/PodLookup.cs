using Waylay.Node.Up;

namespace Waylay.Node.State;

/// <summary>
/// RUN and POD as every command takes them (<c>waylay exec</c>, <c>logs</c>, <c>apply</c>, <c>delete</c>, <c>rules</c>,
/// <c>conntrack</c>, <c>connections</c>, <c>tcpdump</c>, <c>explain</c>, <c>experiment</c>): one set of rules, one wording.
/// <code>
///   run:  --run ID (with or without its wl- prefix) │ else the one live run (made by waylay up: it has up/)
///         │ else an error listing the runs and how to pick one with --run
///   pod:  [NAMESPACE/]NAME or -n NAMESPACE, in the run's pods (pods/&lt;pod&gt;/pod.json, the sandboxes):
///         1. its full name                       productpage-v1-566d69559-ffnjd
///         2. a Deployment's name, or deploy/NAME  reviews-v2, deploy/reviews-v2     (kubectl exec deploy/x)
///         3. its app label                        productpage
///         4. a unique prefix of its name          ratings-v
///   several pods of one Deployment: one is used, as kubectl does (a ready one first), and Note says which;
///   pods of several: refused with the candidates listed, never guessed (reviews names three Deployments' pods).
/// </code>
/// </summary>
internal static partial class PodLookup
{
    public const string DefaultStateRoot = "/run/waylay";

    /// <summary>The pod <paramref name="query"/> (and <paramref name="kubeNamespace"/>, <c>-n</c>) names in the run at <paramref name="runDirectory"/>.</summary>
    public static RunPod Find(string runDirectory, string query, string? kubeNamespace = null)
    {
        var id = Path.GetFileName(runDirectory);
        var (kind, name, qualifier) = Parse(query);
        if (kubeNamespace is not null && qualifier is not null && kubeNamespace != qualifier)
        {
            throw new PodLookupException($"pod '{query}' is in namespace {qualifier} but -n says {kubeNamespace}; give one of them");
        }

        kubeNamespace ??= qualifier;
        var all = All(runDirectory);
        if (all.Count == 0)
        {
            throw new PodLookupException($"pod '{query}': run {id} has no pods (yet); see: waylay ps {id}");
        }

        var pods = kubeNamespace is null ? all : [.. all.Where(p => p.KubeNamespace == kubeNamespace)];
        var matches = kind switch
        {
            Kind.Pod => [.. pods.Where(p => p.Name == name)],
            Kind.Deployment => [.. pods.Where(p => p.Workload == Deployment + name)],
            _ => First(
                pods.Where(p => p.Name == name),
                pods.Where(p => p.Workload == Deployment + name),
                pods.Where(p => p.Labels.GetValueOrDefault("app") == name),
                pods.Where(p => p.Name.StartsWith(name, StringComparison.Ordinal))),
        };
        var where = kubeNamespace is null ? $"run {id}" : $"run {id} in namespace {kubeNamespace}";
        if (matches.Count == 0)
        {
            var what = kind switch
            {
                Kind.Pod => "has that name",
                Kind.Deployment => $"belongs to Deployment {name}",
                _ => "has that name, Deployment, app label or name prefix",
            };
            throw new PodLookupException($"pod '{query}': no pod of {where} {what}; its pods: {List(pods.Count > 0 ? pods : all)}");
        }

        if (matches.Count == 1)
        {
            return matches[0];
        }

        // kubectl exec deploy/x takes one pod of the Deployment; so does any name that only fits its pods.
        if (matches.Select(p => (p.KubeNamespace, p.Workload)).Distinct().Count() == 1 && matches[0].Workload?.StartsWith(Deployment, StringComparison.Ordinal) == true)
        {
            var chosen = matches.OrderByDescending(p => p.Status?.Ready == true).ThenBy(p => p.Name, StringComparer.Ordinal).First();
            return chosen with { Note = $"Found {matches.Count} pods, using pod/{chosen.Name}" };
        }

        throw new PodLookupException($"pod '{query}' is ambiguous in {where}: it names {List(matches)}; give more of the name");
    }

    /// <summary>Every pod of the run (its sandboxes), loaded, in name order.</summary>
    public static IReadOnlyList<RunPod> All(string runDirectory)
    {
        var state = new RunState(runDirectory);
        var statuses = MeshStatus.TryRead(runDirectory)?.Pods.ToDictionary(p => p.Name, StringComparer.Ordinal);
        return [.. state.Pods().OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => RunPod.Load(state, p, statuses?.GetValueOrDefault(p.Name)))];
    }

    private const string Deployment = "Deployment/";

    private enum Kind
    {
        Any,
        Pod,
        Deployment,
    }

    /// <summary><c>NAME</c>, <c>TYPE/NAME</c> as kubectl takes it (pod/x, deploy/x), or <c>NAMESPACE/NAME</c>.</summary>
    private static (Kind Kind, string Name, string? Namespace) Parse(string query)
    {
        if (query.Split('/') is not [var first, var name])
        {
            return query.Length > 0 && !query.Contains('/', StringComparison.Ordinal) ? (Kind.Any, query, null)
                : throw new PodLookupException($"pod '{query}': give NAME, NAMESPACE/NAME or deploy/NAME");
        }

        if (first.Length == 0 || name.Length == 0)
        {
            throw new PodLookupException($"pod '{query}': give NAME, NAMESPACE/NAME or deploy/NAME");
        }

        return first switch
        {
            "pod" or "pods" or "po" => (Kind.Pod, name, null),
            "deploy" or "deployment" or "deployments" or "deployment.apps" => (Kind.Deployment, name, null),
            _ => (Kind.Any, name, first),
        };
    }

    /// <summary>The first rule that finds any pod decides.</summary>
    private static List<RunPod> First(params IEnumerable<RunPod>[] rules)
    {
        foreach (var rule in rules)
        {
            var found = rule.ToList();
            if (found.Count > 0)
            {
                return found;
            }
        }

        return [];
    }

    private static string List(IEnumerable<RunPod> pods) => string.Join(", ", pods.Select(p => p.DisplayName));
}
