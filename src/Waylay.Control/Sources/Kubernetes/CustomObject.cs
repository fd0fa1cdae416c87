using System.Text.Json;
using System.Text.Json.Nodes;

namespace Waylay.Control.Sources.Kubernetes;

/// <summary>
/// A custom resource (an Istio VirtualService, DestinationRule, Gateway…) as the API server sent it: its identity,
/// and the whole object as JSON text, which <see cref="Waylay.Mesh.Networking.NetworkingReader"/> reads as it reads
/// a file (JSON is YAML), so a rule behaves the same from a file and from the cluster.
/// </summary>
internal sealed record CustomObject(string Kind, string Namespace, string Name, string? ResourceVersion, DateTimeOffset? Created, string Json)
{
    public ObjectMeta Meta => new(Namespace, Name, ResourceVersion);

    /// <summary>Reads one object; items of a list may omit kind and apiVersion, so the list's are filled in.</summary>
    public static CustomObject From(JsonElement element, string kind, string apiVersion)
    {
        var metadata = element.TryGetProperty("metadata", out var m) && m.ValueKind == JsonValueKind.Object ? m : default;
        var json = element.GetRawText();
        if (Text(element, "kind") is null || Text(element, "apiVersion") is null)
        {
            var node = JsonNode.Parse(json)!.AsObject();
            node["kind"] ??= kind;
            node["apiVersion"] ??= apiVersion;
            json = node.ToJsonString();
        }

        return new CustomObject(
            Text(element, "kind") ?? kind,
            Text(metadata, "namespace") ?? "",
            Text(metadata, "name") ?? "",
            Text(metadata, "resourceVersion"),
            DateTimeOffset.TryParse(Text(metadata, "creationTimestamp"), out var created) ? created : null,
            json);
    }

    /// <summary>A list's items and resourceVersion (<c>{"kind":"VirtualServiceList","metadata":{…},"items":[…]}</c>).</summary>
    public static ResourceList<CustomObject> ListFrom(JsonElement list, string kind, string apiVersion)
    {
        var items = new List<CustomObject>();
        if (list.TryGetProperty("items", out var array) && array.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in array.EnumerateArray())
            {
                items.Add(From(item, kind, apiVersion));
            }
        }

        var metadata = list.TryGetProperty("metadata", out var m) && m.ValueKind == JsonValueKind.Object ? m : default;
        return new ResourceList<CustomObject>(items, Text(metadata, "resourceVersion") ?? "");
    }

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}
