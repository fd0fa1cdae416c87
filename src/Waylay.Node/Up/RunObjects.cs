using System.Text.Json.Nodes;
using Waylay.Inject.Manifests;
using Waylay.Inject.Yaml;

namespace Waylay.Node.Up;

/// <summary>
/// The objects a run holds, as the API server would: every document of <c>waylay up</c>'s manifests, then changed by
/// <c>waylay apply</c> (create or replace, by kind, namespace and name) and <c>waylay delete</c>. The supervisor plans
/// the run again from the whole set after each change (<see cref="MeshPlan"/>), so an applied Deployment finds the
/// ConfigMaps and ServiceAccounts <c>up</c> read, and its pods are named as the controller would name them.
/// </summary>
internal sealed class RunObjects
{
    private readonly List<(string Key, string Source, JsonObject Document)> _objects = [];

    public RunObjects(IReadOnlyList<ManifestInput> inputs) => Apply(inputs);

    /// <summary>Creates or replaces each object; returns what changed, as kubectl says it (<c>deployment/reviews-v1 configured</c>).</summary>
    public IReadOnlyList<ObjectChange> Apply(IReadOnlyList<ManifestInput> inputs)
    {
        var lines = new List<ObjectChange>();
        foreach (var (source, document) in Documents(inputs))
        {
            var key = Key(document);
            var index = _objects.FindIndex(o => o.Key == key);
            if (index < 0)
            {
                _objects.Add((key, source, document));
                lines.Add(Change(document, "created"));
            }
            else
            {
                var same = JsonNode.DeepEquals(_objects[index].Document, document);
                _objects[index] = (key, source, document);
                lines.Add(Change(document, same ? "unchanged" : "configured"));
            }
        }

        return lines;
    }

    /// <summary>Removes each object; one that is not there fails the whole delete before anything is removed.</summary>
    public IReadOnlyList<ObjectChange> Delete(IReadOnlyList<ManifestInput> inputs)
    {
        var documents = Documents(inputs).ToList();
        var missing = documents.Where(d => !_objects.Exists(o => o.Key == Key(d.Document))).Select(d => Display(d.Document)).ToList();
        if (missing.Count > 0)
        {
            throw new UpInputException($"not found in the run: {string.Join(", ", missing)} (a run's objects are those of the files given to up and apply)");
        }

        foreach (var (_, document) in documents)
        {
            _objects.RemoveAll(o => o.Key == Key(document));
        }

        return [.. documents.Select(d => Change(d.Document, "deleted"))];
    }

    /// <summary>The objects as manifests again (JSON is YAML), in the order they were first given.</summary>
    public IReadOnlyList<ManifestInput> Inputs() =>
        [.. _objects.Select(o => new ManifestInput(o.Source, o.Document.ToJsonString()))];

    private static IEnumerable<(string Source, JsonObject Document)> Documents(IReadOnlyList<ManifestInput> inputs)
    {
        foreach (var input in inputs)
        {
            foreach (var document in YamlReader.ReadDocuments(input.Text, input.Source).OfType<JsonObject>())
            {
                if ((string?)document["kind"] == "List" && document["items"] is JsonArray items)
                {
                    foreach (var item in items.OfType<JsonObject>())
                    {
                        yield return (input.Source, (JsonObject)item.DeepClone());
                    }
                }
                else if (document["kind"] is not null)
                {
                    yield return (input.Source, document);
                }
            }
        }
    }

    private static string Key(JsonObject document) =>
        $"{(string?)document["kind"]}/{(string?)document["metadata"]?["namespace"] ?? "default"}/{(string?)document["metadata"]?["name"]}";

    private static ObjectChange Change(JsonObject document, string verb) =>
        new((string?)document["kind"] ?? "", (string?)document["metadata"]?["namespace"] ?? "default", (string?)document["metadata"]?["name"] ?? "", verb);

    private static string Display(JsonObject document) =>
        $"{((string?)document["kind"])?.ToLowerInvariant()}/{(string?)document["metadata"]?["name"]}";
}

/// <summary>One object an apply or delete touched: <c>created</c>, <c>configured</c>, <c>unchanged</c> or <c>deleted</c>.</summary>
internal sealed record ObjectChange(string Kind, string Namespace, string Name, string Verb)
{
    public bool Changed => Verb != "unchanged";

    public override string ToString() => $"{Kind.ToLowerInvariant()}/{Name} {Verb}";
}
