using System.Text.Json;
using System.Text.Json.Nodes;

namespace Waylay.Inject.Template;

/// <summary>
/// Customizing injection by container name, as Istio documents it: a container the pod itself declares named
/// <c>waylay-proxy</c> or <c>istio-proxy</c> (in <c>containers</c> or <c>initContainers</c>) customizes the injected
/// proxy, one named <c>waylay-init</c> or <c>istio-init</c> the injected init container; each is merged over the
/// rendered one (<see cref="ContainerOverlay"/>) instead of running beside it. The originals are kept in the
/// <c>proxy.waylay.io/overrides</c> annotation (Istio's <c>proxy.istio.io/overrides</c>, same shape), so that
/// <c>--force</c> and uninjection give them back and re-injection merges them again.
/// </summary>
internal sealed record SidecarOverrides(IReadOnlyList<(string List, JsonObject Container)> Taken)
{
    public static readonly string[] ProxyNames = [SidecarNames.ProxyContainer, "istio-proxy"];
    public static readonly string[] InitNames = [SidecarNames.InitContainer, "istio-init"];

    private static readonly string[] Lists = ["containers", "initContainers"];

    public JsonObject? Proxy => Find(ProxyNames);

    public JsonObject? Init => Find(InitNames);

    public bool IsEmpty => Taken.Count == 0;

    /// <summary>Takes the customizations out of the pod's lists; two containers customizing the same sidecar container are an error.</summary>
    public static SidecarOverrides Extract(JsonObject spec, List<string> errors)
    {
        var taken = new List<(string List, JsonObject Container)>();
        foreach (var list in Lists)
        {
            if (spec[list] is not JsonArray items)
            {
                continue;
            }

            for (var i = 0; i < items.Count; i++)
            {
                if (items[i] is JsonObject container && Name(container) is { } name && (ProxyNames.Contains(name) || InitNames.Contains(name)))
                {
                    items.RemoveAt(i--);
                    taken.Add((list, container));
                }
            }
        }

        foreach (var names in new[] { ProxyNames, InitNames })
        {
            var same = taken.Where(t => names.Contains(Name(t.Container))).Select(t => $"{t.List} '{Name(t.Container)}'").ToList();
            if (same.Count > 1)
            {
                errors.Add($"{string.Join(" and ", same)} {(same.Count == 2 ? "both" : "all")} customize the injected {names[0]} container; keep one of them.");
            }
        }

        return new SidecarOverrides(taken);
    }

    /// <summary>The annotation's value: <c>{"containers":[…],"initContainers":[…]}</c>, each container as the pod declared it.</summary>
    public string ToJson()
    {
        var json = new JsonObject();
        foreach (var list in Lists)
        {
            var items = Taken.Where(t => t.List == list).Select(t => (JsonNode)t.Container.DeepClone()).ToArray();
            if (items.Length > 0)
            {
                json[list] = new JsonArray(items);
            }
        }

        return json.ToJsonString();
    }

    /// <summary>Reads an overrides annotation; null with <paramref name="error"/> set when it is not one.</summary>
    public static SidecarOverrides? TryParse(string text, out string? error)
    {
        error = null;
        try
        {
            if (JsonNode.Parse(text) is not JsonObject json)
            {
                error = "not a JSON object";
                return null;
            }

            var taken = new List<(string List, JsonObject Container)>();
            foreach (var list in Lists)
            {
                if (json[list] is null)
                {
                    continue;
                }

                if (json[list] is not JsonArray items || items.Any(item => item is not JsonObject c || Name(c) is null))
                {
                    error = $"'{list}' is not a list of named containers";
                    return null;
                }

                taken.AddRange(items.Select(item => (list, (JsonObject)item!.DeepClone())));
            }

            return new SidecarOverrides(taken);
        }
        catch (JsonException e)
        {
            error = e.Message;
            return null;
        }
    }

    /// <summary>Puts the customizations back at the end of their lists (Istio's reinsertOverrides), unless a container of that name is there.</summary>
    public void Restore(JsonObject spec)
    {
        foreach (var (list, container) in Taken)
        {
            if (spec[list] is not JsonArray items)
            {
                items = new JsonArray();
                spec[list] = items;
            }

            if (!items.OfType<JsonObject>().Any(c => Name(c) == Name(container)))
            {
                items.Add(container.DeepClone());
            }
        }
    }

    private JsonObject? Find(string[] names) => Taken.Select(t => t.Container).FirstOrDefault(c => names.Contains(Name(c)));

    private static string? Name(JsonObject container) =>
        container["name"] is JsonValue name && name.GetValueKind() == JsonValueKind.String ? name.GetValue<string>() : null;
}
