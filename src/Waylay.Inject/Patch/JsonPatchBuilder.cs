using System.Text.Json;
using System.Text.Json.Nodes;

namespace Waylay.Inject.Patch;

/// <summary>
/// Builds the RFC 6902 JSON Patch that turns one JSON tree into another: what the webhook returns, so that
/// the API server makes of the pod exactly what <c>waylay inject</c> makes of it.
/// Lists of named items (containers, volumes, env) are matched by name, so inserting the proxy in front of
/// the app reads as one <c>add</c> and the app's probe rewrite as a few <c>replace</c>s, not a new list.
/// </summary>
internal static class JsonPatchBuilder
{
    public static JsonArray Diff(JsonNode? from, JsonNode? to)
    {
        var operations = new JsonArray();
        Diff("", from, to, operations);
        return operations;
    }

    private static void Diff(string path, JsonNode? from, JsonNode? to, JsonArray operations)
    {
        if (JsonNode.DeepEquals(from, to))
        {
            return;
        }

        switch (from, to)
        {
            case (JsonObject a, JsonObject b):
                foreach (var (key, _) in a.ToList())
                {
                    if (!b.ContainsKey(key))
                    {
                        operations.Add(Op("remove", JsonPointer.Append(path, key)));
                    }
                }

                foreach (var (key, value) in b)
                {
                    if (a.TryGetPropertyValue(key, out var old))
                    {
                        Diff(JsonPointer.Append(path, key), old, value, operations);
                    }
                    else
                    {
                        operations.Add(Op("add", JsonPointer.Append(path, key), value));
                    }
                }

                break;
            case (JsonArray a, JsonArray b) when Named(a) && Named(b):
                DiffNamed(path, a, b, operations);
                break;
            case (JsonArray a, JsonArray b):
                DiffPositional(path, a, b, operations);
                break;
            default:
                operations.Add(Op("replace", path, to));
                break;
        }
    }

    /// <summary>Keeps a simulation of the list as the operations so far leave it, so every index is right when applied in order.</summary>
    private static void DiffNamed(string path, JsonArray from, JsonArray to, JsonArray operations)
    {
        var wanted = to.Select(Name).ToHashSet(StringComparer.Ordinal);
        var current = from.ToList();
        for (var i = current.Count - 1; i >= 0; i--)
        {
            if (!wanted.Contains(Name(current[i])))
            {
                operations.Add(Op("remove", JsonPointer.Append(path, i)));
                current.RemoveAt(i);
            }
        }

        for (var j = 0; j < to.Count; j++)
        {
            var name = Name(to[j]);
            if (j < current.Count && Name(current[j]) == name)
            {
                Diff(JsonPointer.Append(path, j), current[j], to[j], operations);
                continue;
            }

            var later = current.FindIndex(j, item => Name(item) == name);
            if (later >= 0)
            {
                operations.Add(Op("remove", JsonPointer.Append(path, later)));
                current.RemoveAt(later);
            }

            operations.Add(Op("add", JsonPointer.Append(path, j), to[j]));
            current.Insert(j, to[j]);
        }

        for (var i = current.Count - 1; i >= to.Count; i--)
        {
            operations.Add(Op("remove", JsonPointer.Append(path, i)));
        }
    }

    private static void DiffPositional(string path, JsonArray from, JsonArray to, JsonArray operations)
    {
        var prefix = 0;
        while (prefix < from.Count && prefix < to.Count && JsonNode.DeepEquals(from[prefix], to[prefix]))
        {
            prefix++;
        }

        var suffix = 0;
        while (suffix < from.Count - prefix && suffix < to.Count - prefix
               && JsonNode.DeepEquals(from[from.Count - 1 - suffix], to[to.Count - 1 - suffix]))
        {
            suffix++;
        }

        var fromMiddle = from.Count - prefix - suffix;
        var toMiddle = to.Count - prefix - suffix;
        var common = Math.Min(fromMiddle, toMiddle);
        for (var i = 0; i < common; i++)
        {
            Diff(JsonPointer.Append(path, prefix + i), from[prefix + i], to[prefix + i], operations);
        }

        for (var i = prefix + fromMiddle - 1; i >= prefix + common; i--)
        {
            operations.Add(Op("remove", JsonPointer.Append(path, i)));
        }

        for (var i = prefix + common; i < prefix + toMiddle; i++)
        {
            operations.Add(Op("add", JsonPointer.Append(path, i), to[i]));
        }
    }

    private static bool Named(JsonArray list)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        return list.Count > 0 && list.All(item => item is JsonObject o && o["name"] is JsonValue v
            && v.GetValueKind() == JsonValueKind.String && names.Add(v.GetValue<string>()));
    }

    private static string Name(JsonNode? item) => item!["name"]!.GetValue<string>();

    // JsonNode, not JsonObject: JsonArray.Add(JsonNode) then, not its generic Add<T> (reflection, not AOT-safe).
    private static JsonNode Op(string op, string path) => new JsonObject { ["op"] = op, ["path"] = path };

    private static JsonNode Op(string op, string path, JsonNode? value) => new JsonObject { ["op"] = op, ["path"] = path, ["value"] = value?.DeepClone() };
}
