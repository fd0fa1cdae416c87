using System.Text.Json;
using System.Text.Json.Nodes;
using Waylay.Inject.Values;
using Waylay.Inject.Yaml;

namespace Waylay.Inject.Manifests;

/// <summary>
/// <c>waylay inject</c>'s work: every document of every input, in order; workloads (also inside a
/// <c>kind: List</c>) get their pod template injected by <see cref="Injector"/>, everything else is written
/// back as read. If any workload is rejected nothing is written, and the error lists every rejection.
/// </summary>
internal static class ManifestInjector
{
    private static readonly JsonSerializerOptions IndentedJson = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // a file for people, not HTML
    };

    public static ManifestOutput Inject(IReadOnlyList<ManifestInput> inputs, InjectionValues values, bool force)
    {
        var documents = new List<JsonNode?>();
        var reports = new List<DocumentReport>();
        foreach (var input in inputs)
        {
            foreach (var document in YamlReader.ReadDocuments(input.Text, input.Source))
            {
                if (document is null)
                {
                    continue; // an empty document (a stray ---) has nothing to write back
                }

                documents.Add(InjectDocument(document, input.Source, values, force, reports));
            }
        }

        var rejected = reports.Where(r => r.Decision == InjectionDecision.Rejected).ToList();
        if (rejected.Count > 0)
        {
            throw new ManifestException(string.Join("\n", rejected.Select(r => $"{r.Source}: {r.Workload}: {r.Reason}")));
        }

        var json = inputs.Count > 0 && inputs.All(i => i.IsJson) && documents.Count == 1;
        var text = json
            ? documents[0]!.ToJsonString(IndentedJson) + "\n"
            : YamlWriter.Write(documents);
        return new ManifestOutput(text, reports);
    }

    /// <summary>Injects one parsed document (a workload, a List, or anything else, returned as it is).</summary>
    public static JsonNode InjectDocument(JsonNode document, string source, InjectionValues values, bool force, List<DocumentReport> reports)
    {
        if (document is not JsonObject root)
        {
            return document;
        }

        var apiVersion = Text(root["apiVersion"]);
        var kind = Text(root["kind"]);
        if (kind is "List" && root["items"] is JsonArray items)
        {
            for (var i = 0; i < items.Count; i++)
            {
                if (items[i] is { } item)
                {
                    var injected = InjectDocument(item, source, values, force, reports);
                    if (!ReferenceEquals(injected, item))
                    {
                        items[i] = injected;
                    }
                }
            }

            return root;
        }

        if (WorkloadKinds.TemplatePath(apiVersion, kind) is not { } path)
        {
            return root;
        }

        var name = Text(root["metadata"]?["name"]) ?? WorkloadName.FromGenerateName(Text(root["metadata"]?["generateName"]), null);
        var workload = $"{kind}/{name ?? "(unnamed)"}";
        var template = Navigate(root, path);
        if (template is not JsonObject pod)
        {
            reports.Add(new DocumentReport(source, workload, InjectionDecision.Rejected,
                $"{string.Join('.', path)} is missing or not a mapping; a {kind} needs a pod template there.", []));
            return root;
        }

        var context = new InjectionContext(values, Text(root["metadata"]?["namespace"]), name ?? "", force);
        var result = Injector.Inject(pod, context);
        reports.Add(new DocumentReport(source, workload, result.Decision, result.Reason, result.Warnings));
        if (!result.Changed)
        {
            return root;
        }

        if (path.Count == 0)
        {
            return result.Pod;
        }

        var parent = (JsonObject)Navigate(root, path.Take(path.Count - 1).ToList())!;
        parent[path[^1]] = result.Pod;
        return root;
    }

    private static JsonNode? Navigate(JsonNode root, IReadOnlyList<string> path)
    {
        var node = root;
        foreach (var segment in path)
        {
            node = node is JsonObject map ? map[segment] : null;
        }

        return node;
    }

    private static string? Text(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;
}
