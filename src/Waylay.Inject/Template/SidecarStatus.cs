using System.Text.Json;
using System.Text.Json.Nodes;

namespace Waylay.Inject.Template;

/// <summary>
/// The <c>sidecar.waylay.io/status</c> annotation: which template version injected the pod and exactly what it
/// added, so a re-injection removes that and nothing else. Same shape as Istio's <c>sidecar.istio.io/status</c>,
/// which is read too (a pod Istio injected is recognised as injected).
/// </summary>
internal sealed record SidecarStatus(
    string Version,
    IReadOnlyList<string> InitContainers,
    IReadOnlyList<string> Containers,
    IReadOnlyList<string> Volumes,
    IReadOnlyList<string>? ImagePullSecrets)
{
    public string ToJson()
    {
        var json = new JsonObject
        {
            ["version"] = Version,
            ["initContainers"] = Names(InitContainers),
            ["containers"] = Names(Containers),
            ["volumes"] = Names(Volumes),
            ["imagePullSecrets"] = ImagePullSecrets is null ? null : Names(ImagePullSecrets),
        };
        return json.ToJsonString();
    }

    /// <summary>Parses a status annotation; null with <paramref name="error"/> set when it is not one.</summary>
    public static SidecarStatus? TryParse(string text, out string? error)
    {
        error = null;
        try
        {
            if (JsonNode.Parse(text) is not JsonObject json)
            {
                error = "not a JSON object";
                return null;
            }

            return new SidecarStatus(
                json["version"]?.GetValue<string>() ?? "",
                List(json["initContainers"]),
                List(json["containers"]),
                List(json["volumes"]),
                json["imagePullSecrets"] is null ? null : List(json["imagePullSecrets"]));
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            error = e.Message;
            return null;
        }
    }

    private static List<string> List(JsonNode? node) => node is JsonArray array
        ? [.. array.Select(item => item is JsonObject named ? named["name"]!.GetValue<string>() : item!.GetValue<string>())]
        : [];

    private static JsonArray Names(IEnumerable<string> names) => new([.. names.Select(n => (JsonNode)n)]);
}
