using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Waylay.Inject;
using Waylay.Inject.Manifests;
using Waylay.Inject.Values;
using Waylay.Inject.Yaml;

namespace Waylay.Node.Manifests;

/// <summary>
/// What <c>waylay up</c> runs: the documents of the manifests, read with the reader <c>waylay inject</c> uses, every
/// workload injected by the same call (<see cref="ManifestInjector.InjectDocument"/>: same input, same pod), then
/// expanded into pods as the controllers would (<see cref="PodNames"/>). ConfigMaps and Secrets are kept for the
/// pods' volumes and env; Services and Istio's routing objects are kept as read for the service and routing roles.
/// <code>
///  documents ─┬─ Namespace, ServiceAccount                      names
///             ├─ ConfigMap, Secret                             → data (Secret: base64 data + stringData)
///             ├─ Deployment, StatefulSet, Pod ── inject ── expand → Pods
///             └─ Service, Gateway, VirtualService, DestinationRule → Objects
/// </code>
/// A kind outside that list, or a workload the injector rejects, is an error naming the document.
/// </summary>
internal sealed class ManifestSet
{
    public const string DefaultNamespace = "default";

    private static readonly HashSet<string> Kept = ["Namespace", "ServiceAccount", "Service", "Gateway", "VirtualService", "DestinationRule"];

    private readonly Dictionary<(string, string), IReadOnlyDictionary<string, string>> _configMaps = [];
    private readonly Dictionary<(string, string), IReadOnlyDictionary<string, string>> _secrets = [];

    private ManifestSet()
    {
    }

    public List<ManifestPod> Pods { get; } = [];

    /// <summary>Everything else that was read (Services, ServiceAccounts, Istio objects), injected workloads excluded.</summary>
    public List<JsonObject> Objects { get; } = [];

    public IReadOnlyList<DocumentReport> Reports { get; private set; } = [];

    public static ManifestSet Read(IReadOnlyList<ManifestInput> inputs, InjectionValues values)
    {
        var set = new ManifestSet();
        var reports = new List<DocumentReport>();
        var errors = new List<string>();
        foreach (var input in inputs)
        {
            foreach (var document in YamlReader.ReadDocuments(input.Text, input.Source))
            {
                if (document is JsonObject root)
                {
                    set.Add(root, input.Source, values, reports, errors);
                }
            }
        }

        errors.AddRange(reports.Where(r => r.Decision == InjectionDecision.Rejected).Select(r => $"{r.Source}: {r.Workload}: {r.Reason}"));
        if (errors.Count > 0)
        {
            throw new ManifestException(string.Join("\n", errors));
        }

        set.Reports = reports;
        return set;
    }

    /// <summary>A ConfigMap's data (binaryData decoded), or null when the manifests have none of that name.</summary>
    public IReadOnlyDictionary<string, string>? ConfigMap(string ns, string name) => _configMaps.GetValueOrDefault((ns, name));

    /// <summary>A Secret's data (base64 decoded, stringData over it), or null when the manifests have none of that name.</summary>
    public IReadOnlyDictionary<string, string>? Secret(string ns, string name) => _secrets.GetValueOrDefault((ns, name));

    private void Add(JsonObject root, string source, InjectionValues values, List<DocumentReport> reports, List<string> errors)
    {
        var kind = Text(root["kind"]);
        var name = Text(root["metadata"]?["name"]);
        var ns = Text(root["metadata"]?["namespace"]) ?? DefaultNamespace;
        var where = $"{source}: {kind ?? "(no kind)"}/{name ?? "(unnamed)"}";
        switch (kind)
        {
            case "List" when root["items"] is JsonArray items:
                foreach (var item in items.OfType<JsonObject>())
                {
                    Add(item, source, values, reports, errors);
                }

                return;
            case "ConfigMap":
                _configMaps[(ns, name ?? "")] = ConfigMapData(root, where, errors);
                return;
            case "Secret":
                _secrets[(ns, name ?? "")] = SecretData(root, where, errors);
                return;
            case "Deployment" or "StatefulSet" or "Pod":
                if (name is null)
                {
                    errors.Add($"{where}: metadata.name is required (waylay up names pods after their workload)");
                    return;
                }

                var before = reports.Count;
                var injected = (JsonObject)ManifestInjector.InjectDocument(root, source, values, false, reports);
                if (reports.Count > before && reports[^1].Decision == InjectionDecision.Rejected)
                {
                    return;
                }

                Expand(injected, kind, name, ns, where, errors);
                return;
            case not null when Kept.Contains(kind):
                Objects.Add(root);
                return;
            default:
                errors.Add($"{where}: waylay up runs Namespace, ServiceAccount, ConfigMap, Secret, Deployment, StatefulSet, Pod, Service, Gateway, VirtualService and DestinationRule; remove this document or run it on a cluster");
                return;
        }
    }

    private void Expand(JsonObject workload, string kind, string name, string ns, string where, List<string> errors)
    {
        if (kind == "Pod")
        {
            var pod = (JsonObject)workload.DeepClone();
            pod["metadata"]!["namespace"] = ns;
            Pods.Add(new ManifestPod(ns, name, pod, $"Pod/{name}"));
            return;
        }

        if (workload["spec"]?["template"] is not JsonObject template)
        {
            errors.Add($"{where}: spec.template is missing; a {kind} needs a pod template");
            return;
        }

        var replicas = workload["spec"]?["replicas"] is JsonValue r && r.TryGetValue<int>(out var count) ? count : 1;
        var hash = PodNames.TemplateHash(template.ToJsonString());
        for (var i = 0; i < replicas; i++)
        {
            var pod = (JsonObject)template.DeepClone();
            var metadata = pod["metadata"] as JsonObject ?? [];
            pod["metadata"] = metadata;
            var labels = metadata["labels"] as JsonObject ?? [];
            metadata["labels"] = labels;
            string podName;
            if (kind == "Deployment")
            {
                podName = PodNames.ReplicaSetPod($"{name}-{hash}", i);
                labels["pod-template-hash"] = hash;
            }
            else
            {
                podName = $"{name}-{i.ToString(CultureInfo.InvariantCulture)}";
                labels["statefulset.kubernetes.io/pod-name"] = podName;
                labels["apps.kubernetes.io/pod-index"] = i.ToString(CultureInfo.InvariantCulture);
                labels["controller-revision-hash"] = $"{name}-{hash}";
                var spec = (JsonObject)pod["spec"]!;
                spec["hostname"] ??= podName;
                if (Text(workload["spec"]?["serviceName"]) is { } service)
                {
                    spec["subdomain"] ??= service;
                }
            }

            metadata["name"] = podName;
            metadata["namespace"] = ns;
            Pods.Add(new ManifestPod(ns, podName, pod, $"{kind}/{name}"));
        }
    }

    private static Dictionary<string, string> ConfigMapData(JsonObject root, string where, List<string> errors)
    {
        var data = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in root["data"] as JsonObject ?? [])
        {
            data[key] = Text(value) ?? value?.ToJsonString() ?? "";
        }

        foreach (var (key, value) in root["binaryData"] as JsonObject ?? [])
        {
            data[key] = Decode(Text(value), $"{where}: binaryData.{key}", errors);
        }

        return data;
    }

    private static Dictionary<string, string> SecretData(JsonObject root, string where, List<string> errors)
    {
        var data = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in root["data"] as JsonObject ?? [])
        {
            data[key] = Decode(Text(value), $"{where}: data.{key}", errors);
        }

        // The API server merges stringData over data on write.
        foreach (var (key, value) in root["stringData"] as JsonObject ?? [])
        {
            data[key] = Text(value) ?? value?.ToJsonString() ?? "";
        }

        return data;
    }

    private static string Decode(string? base64, string where, List<string> errors)
    {
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(base64 ?? ""));
        }
        catch (FormatException)
        {
            errors.Add($"{where}: not base64; encode the value (base64 -w0) or put it under stringData");
            return "";
        }
    }

    private static string? Text(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;
}
