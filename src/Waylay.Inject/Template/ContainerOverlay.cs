using System.Text.Json;
using System.Text.Json.Nodes;

namespace Waylay.Inject.Template;

/// <summary>
/// Merges a container the user wrote over the one the template rendered, the way Istio applies a pod's own
/// <c>istio-proxy</c> container (a strategic merge patch of <c>corev1.Container</c>, the user's container being the
/// patch): the user's fields win; maps (resources, securityContext, probes, lifecycle) merge key by key; the lists
/// Kubernetes merges by key (<c>env</c> by name, <c>volumeMounts</c> by mountPath, <c>ports</c> by containerPort and
/// protocol, <c>volumeDevices</c> by devicePath) keep the template's items, replace those the user names again and
/// append the user's new ones; every other list (<c>args</c>, <c>command</c>, capabilities …) is replaced whole.
/// <c>image: auto</c> keeps the template's image (Istio's AutoImage), and a null is no value.
/// </summary>
internal static class ContainerOverlay
{
    /// <summary>Istio's marker for "keep the injected image": a container needs an image, so a customization must write one.</summary>
    public const string AutoImage = "auto";

    /// <summary>The list fields of a container merged by key under a strategic merge patch (k8s.io/api core/v1 patchMergeKey).</summary>
    private static readonly Dictionary<string, string[]> MergeKeys = new(StringComparer.Ordinal)
    {
        ["env"] = ["name"],
        ["volumeMounts"] = ["mountPath"],
        ["ports"] = ["containerPort", "protocol"],
        ["volumeDevices"] = ["devicePath"],
    };

    /// <summary>The template's container with <paramref name="overlay"/> merged over it; neither argument is changed.</summary>
    public static JsonObject Apply(JsonObject template, JsonObject overlay)
    {
        var result = (JsonObject)template.DeepClone();
        foreach (var (key, value) in overlay)
        {
            if (key == "name" || value is null || IsAutoImage(key, value))
            {
                continue;
            }

            if (MergeKeys.TryGetValue(key, out var keys) && value is JsonArray items && result[key] is JsonArray existing)
            {
                MergeList(existing, items, keys);
            }
            else if (value is JsonObject map && result[key] is JsonObject into)
            {
                MergeMap(into, map);
            }
            else
            {
                result[key] = value.DeepClone();
            }
        }

        return result;
    }

    private static bool IsAutoImage(string key, JsonNode value) =>
        key == "image" && value is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.GetValue<string>() == AutoImage;

    private static void MergeMap(JsonObject into, JsonObject overlay)
    {
        foreach (var (key, value) in overlay)
        {
            if (value is null)
            {
                continue;
            }

            if (value is JsonObject map && into[key] is JsonObject existing)
            {
                MergeMap(existing, map);
            }
            else
            {
                into[key] = value.DeepClone();
            }
        }
    }

    /// <summary>Items with the same merge key merge; the others are appended in the user's order.</summary>
    private static void MergeList(JsonArray into, JsonArray overlay, string[] keys)
    {
        foreach (var item in overlay)
        {
            if (item is not JsonObject patch)
            {
                continue;
            }

            var match = into.OfType<JsonObject>().FirstOrDefault(existing => SameKey(existing, patch, keys));
            if (match is null)
            {
                into.Add(patch.DeepClone());
            }
            else
            {
                MergeMap(match, patch);
            }
        }
    }

    private static bool SameKey(JsonObject a, JsonObject b, string[] keys)
    {
        foreach (var key in keys)
        {
            // A port's protocol defaults to TCP: a port the user writes without one is the template's TCP port.
            var defaultValue = key == "protocol" ? "TCP" : null;
            if ((Text(a[key]) ?? defaultValue) != (Text(b[key]) ?? defaultValue))
            {
                return false;
            }
        }

        return true;
    }

    private static string? Text(JsonNode? node) => node is JsonValue value
        ? value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString()
        : null;
}
