using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Waylay.Node.Up;

namespace Waylay.Node.State;

/// <summary>
/// A pod of a run as <see cref="PodLookup"/> finds it: its sandbox record (network namespace, CNI result, pause
/// process), address, the pod object <c>waylay up</c> recorded, its containers, and what the supervisor last said of
/// it in <c>up/status.json</c> (phase, readiness, owning workload; null for a run not made by <c>waylay up</c>).
/// </summary>
internal sealed record RunPod(RunState Run, PodRecord Record, string KubeNamespace, IPAddress? Address, JsonObject? Manifest, IReadOnlyList<ContainerRecord> Containers)
{
    public string Name => Record.Name;

    public string RunId => Path.GetFileName(Run.Directory);

    public PodStatus? Status { get; init; }

    /// <summary>The phase <c>waylay ps</c> shows, for messages.</summary>
    public string Phase => Status?.Phase ?? "unknown";

    /// <summary>What made the pod, as <c>Deployment/reviews-v1</c>; null when the run has no status.</summary>
    public string? Workload => Status?.Workload;

    /// <summary>Set when the name chose one of several pods of a Deployment, as kubectl says it: "Found 2 pods, using pod/…".</summary>
    public string? Note { get; init; }

    /// <summary>The pod's network namespace as a path nsenter takes.</summary>
    public string NetnsPath => Namespaces.NetworkNamespaces.PathOf(Record.Namespace);

    public IReadOnlyDictionary<string, string> Labels =>
        Manifest?["metadata"]?["labels"] is JsonObject labels
            ? labels.ToDictionary(l => l.Key, l => l.Value?.ToString() ?? "", StringComparer.Ordinal)
            : Status?.Labels ?? new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>A container's live process id, or null when it is not running (an init container that finished).</summary>
    public int? Pid(string container) =>
        Containers.FirstOrDefault(c => c.Name == container)?.Process is { IsAlive: true } process ? process.Pid : null;

    /// <summary>The name as messages give it: qualified outside the default namespace (<c>istio-system/istio-ingressgateway-…</c>).</summary>
    public string DisplayName => KubeNamespace == "default" ? Name : $"{KubeNamespace}/{Name}";

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{KubeNamespace}/{Name}");

    /// <summary>The pod whose sandbox <paramref name="record"/> is, with what the run's state says of it.</summary>
    internal static RunPod Load(RunState state, PodRecord record, PodStatus? status)
    {
        var address = record.CniResult?["ips"]?[0]?["address"]?.GetValue<string>() is { } cidr
            ? IPAddress.Parse(cidr.Split('/')[0])
            : null;
        var path = state.ManifestFile(record.Name);
        var manifest = File.Exists(path) ? JsonNode.Parse(File.ReadAllText(path)) as JsonObject : null;
        var kubeNamespace = manifest?["metadata"]?["namespace"]?.GetValue<string>()
            ?? status?.Namespace
            ?? (record.Name == "kube-dns" ? "kube-system" : "default");
        return new RunPod(state, record, kubeNamespace, address, manifest, [.. state.Containers(record.Name)]) { Status = status };
    }
}
