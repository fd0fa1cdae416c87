using System.Text.Json;
using System.Text.Json.Nodes;
using Waylay.Inject.Annotations;

namespace Waylay.Inject.Template;

/// <summary>
/// Customizing injection by container name, as Istio documents it: a container the pod declares named
/// <c>waylay-proxy</c> or <c>istio-proxy</c> (in <c>containers</c> or <c>initContainers</c>) customizes the injected
/// proxy, one named <c>waylay-init</c> or <c>istio-init</c> the injected init container; each is merged over the
/// rendered one (<see cref="ContainerOverlay"/>) instead of running beside it. Customizations also come from the
/// <c>proxy.waylay.io/overrides</c> annotation (Istio's <c>proxy.istio.io/overrides</c>, same shape:
/// <c>{"containers":[…],"initContainers":[…]}</c>), where they win over a container of the same name, as in Istio.
/// When injection takes containers out of the pod it records every customization in that annotation, which thus
/// stays the pod's customization: <c>--force</c> reads it again and gives the same sidecar.
/// </summary>
internal sealed record SidecarOverrides(IReadOnlyList<(string List, JsonObject Container)> Applied, bool TookContainers)
{
    public static readonly string[] ProxyNames = [SidecarNames.ProxyContainer, "istio-proxy"];
    public static readonly string[] InitNames = [SidecarNames.InitContainer, "istio-init"];

    private static readonly string[] Lists = ["containers", "initContainers"];

    public JsonObject? Proxy => Find(ProxyNames);

    public JsonObject? Init => Find(InitNames);

    public bool IsEmpty => Applied.Count == 0;

    /// <summary>
    /// Reads the annotation and takes the customizing containers out of the pod's lists. Two customizations of one
    /// sidecar container from the same place are an error; one from the annotation wins over a container, with a warning.
    /// </summary>
    public static SidecarOverrides Extract(JsonObject pod, List<string> errors, List<string> warnings)
    {
        var declared = new List<(string List, JsonObject Container)>();
        var annotation = Annotation(pod);
        if (annotation is not null)
        {
            if (TryParse(annotation.Value.Value, out var error) is { } parsed)
            {
                declared.AddRange(parsed);
            }
            else
            {
                errors.Add($"{annotation.Value.Name}: not the sidecar's customizations ({error}); write {{\"containers\":[{{\"name\":\"istio-proxy\", …}}]}} or remove it.");
            }
        }

        var taken = new List<(string List, JsonObject Container)>();
        var spec = (JsonObject)pod["spec"]!;
        foreach (var list in Lists)
        {
            if (spec[list] is not JsonArray items)
            {
                continue;
            }

            for (var i = 0; i < items.Count; i++)
            {
                if (items[i] is JsonObject container && IsSidecarName(Name(container)))
                {
                    items.RemoveAt(i--);
                    taken.Add((list, container));
                }
            }
        }

        var applied = new List<(string List, JsonObject Container)>();
        foreach (var names in new[] { ProxyNames, InitNames })
        {
            var fromAnnotation = Same(declared, names, annotation?.Name, errors);
            var fromPod = Same(taken, names, null, errors);
            if (fromAnnotation is not null && fromPod is not null)
            {
                warnings.Add($"{fromPod.Value.List} '{Name(fromPod.Value.Container)}' is not used: {annotation?.Name} customizes the same container, and wins (as in Istio).");
            }

            if ((fromAnnotation ?? fromPod) is { } chosen)
            {
                applied.Add(chosen);
            }
        }

        return new SidecarOverrides(applied, taken.Count > 0);
    }

    /// <summary>The annotation's value: every applied customization, in the list it came from.</summary>
    public string ToJson()
    {
        var json = new JsonObject();
        foreach (var list in Lists)
        {
            var items = Applied.Where(t => t.List == list).Select(t => (JsonNode)t.Container.DeepClone()).ToArray();
            if (items.Length > 0)
            {
                json[list] = new JsonArray(items);
            }
        }

        return json.ToJsonString();
    }

    /// <summary>The lists the pod's overrides annotation puts customizations in (none when it has none, or an unreadable one).</summary>
    public static IReadOnlySet<string> ListsOf(JsonObject pod) =>
        Annotation(pod) is { } annotation && TryParse(annotation.Value, out _) is { } parsed
            ? parsed.Select(p => p.List).ToHashSet(StringComparer.Ordinal)
            : new HashSet<string>();

    private static (string Name, string Value)? Annotation(JsonObject pod)
    {
        if (pod["metadata"]?["annotations"] is not JsonObject annotations)
        {
            return null;
        }

        foreach (var name in new[] { AnnotationNames.Overrides.Waylay, AnnotationNames.Overrides.Istio })
        {
            if (annotations[name] is JsonValue value && value.GetValueKind() == JsonValueKind.String)
            {
                return (name, value.GetValue<string>());
            }
        }

        return null;
    }

    private static List<(string List, JsonObject Container)>? TryParse(string text, out string? error)
    {
        error = null;
        try
        {
            if (JsonNode.Parse(text) is not JsonObject json)
            {
                error = "not a JSON object";
                return null;
            }

            var result = new List<(string List, JsonObject Container)>();
            foreach (var list in Lists)
            {
                if (json[list] is null)
                {
                    continue;
                }

                if (json[list] is not JsonArray items || items.Any(item => item is not JsonObject c || !IsSidecarName(Name(c))))
                {
                    error = $"'{list}' is not a list of containers named {string.Join(", ", ProxyNames.Concat(InitNames))}";
                    return null;
                }

                result.AddRange(items.Select(item => (list, (JsonObject)item!.DeepClone())));
            }

            return result;
        }
        catch (JsonException e)
        {
            error = e.Message;
            return null;
        }
    }

    private static (string List, JsonObject Container)? Same(List<(string List, JsonObject Container)> found, string[] names, string? where, List<string> errors)
    {
        var same = found.Where(t => names.Contains(Name(t.Container))).ToList();
        if (same.Count > 1)
        {
            var what = string.Join(" and ", same.Select(t => $"{t.List} '{Name(t.Container)}'"));
            errors.Add($"{(where is null ? "" : where + ": ")}{what} {(same.Count == 2 ? "both" : "all")} customize the injected {names[0]} container; keep one of them.");
        }

        return same.Count > 0 ? same[0] : null;
    }

    private static bool IsSidecarName(string? name) => name is not null && (ProxyNames.Contains(name) || InitNames.Contains(name));

    private JsonObject? Find(string[] names) => Applied.Select(t => t.Container).FirstOrDefault(c => names.Contains(Name(c)));

    private static string? Name(JsonObject container) =>
        container["name"] is JsonValue name && name.GetValueKind() == JsonValueKind.String ? name.GetValue<string>() : null;
}
