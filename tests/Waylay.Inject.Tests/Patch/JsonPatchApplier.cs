using System.Globalization;
using System.Text.Json.Nodes;

namespace Waylay.Inject.Tests.Patch;

/// <summary>
/// An RFC 6902 applier written for the tests, independently of the builder, as the API server applies the
/// webhook's patch: add, remove, replace (and test, move, copy) with RFC 6901 pointers.
/// </summary>
internal static class JsonPatchApplier
{
    public static JsonNode? Apply(JsonNode? document, JsonArray operations)
    {
        var root = document?.DeepClone();
        foreach (var operation in operations)
        {
            var op = operation!["op"]!.GetValue<string>();
            var path = operation["path"]!.GetValue<string>();
            switch (op)
            {
                case "add":
                    root = Add(root, path, operation["value"]?.DeepClone());
                    break;
                case "remove":
                    root = Remove(root, path, out _);
                    break;
                case "replace":
                    root = Replace(root, path, operation["value"]?.DeepClone());
                    break;
                case "move":
                    root = Remove(root, operation["from"]!.GetValue<string>(), out var moved);
                    root = Add(root, path, moved);
                    break;
                case "copy":
                    root = Add(root, path, Get(root, operation["from"]!.GetValue<string>())?.DeepClone());
                    break;
                case "test":
                    if (!JsonNode.DeepEquals(Get(root, path), operation["value"]))
                    {
                        throw new InvalidOperationException($"test failed at {path}");
                    }

                    break;
                default:
                    throw new InvalidOperationException($"unknown op {op}");
            }
        }

        return root;
    }

    private static string[] Segments(string pointer)
    {
        if (pointer.Length == 0)
        {
            return [];
        }

        if (pointer[0] != '/')
        {
            throw new InvalidOperationException($"pointer '{pointer}' must start with /");
        }

        return [.. pointer[1..].Split('/').Select(s => s.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal))];
    }

    private static JsonNode? Get(JsonNode? root, string pointer)
    {
        var node = root;
        foreach (var segment in Segments(pointer))
        {
            node = node switch
            {
                JsonObject map when map.TryGetPropertyValue(segment, out var child) => child,
                JsonArray list => list[int.Parse(segment, CultureInfo.InvariantCulture)],
                _ => throw new InvalidOperationException($"path {pointer} does not exist"),
            };
        }

        return node;
    }

    private static JsonNode? Replace(JsonNode? root, string pointer, JsonNode? value)
    {
        var segments = Segments(pointer);
        if (segments.Length == 0)
        {
            return value;
        }

        var parent = Parent(root, segments);
        switch (parent)
        {
            case JsonObject map when map.ContainsKey(segments[^1]):
                map[segments[^1]] = value;
                break;
            case JsonArray list:
                list[int.Parse(segments[^1], CultureInfo.InvariantCulture)] = value;
                break;
            default:
                throw new InvalidOperationException($"replace: path {pointer} does not exist");
        }

        return root;
    }

    private static JsonNode? Parent(JsonNode? root, string[] segments) => segments.Length == 1
        ? root
        : Get(root, "/" + string.Join('/', segments[..^1].Select(s => s.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal))));

    private static JsonNode? Add(JsonNode? root, string pointer, JsonNode? value)
    {
        var segments = Segments(pointer);
        if (segments.Length == 0)
        {
            return value;
        }

        var parent = Parent(root, segments);
        var last = segments[^1];
        switch (parent)
        {
            case JsonObject map:
                map[last] = value;
                break;
            case JsonArray list when last == "-":
                list.Add(value);
                break;
            case JsonArray list:
                var index = int.Parse(last, CultureInfo.InvariantCulture);
                if (index < 0 || index > list.Count)
                {
                    throw new InvalidOperationException($"index {index} out of range at {pointer}");
                }

                list.Insert(index, value);
                break;
            default:
                throw new InvalidOperationException($"parent of {pointer} is not a container");
        }

        return root;
    }

    private static JsonNode? Remove(JsonNode? root, string pointer, out JsonNode? removed)
    {
        var segments = Segments(pointer);
        if (segments.Length == 0)
        {
            removed = root;
            return null;
        }

        var parent = Parent(root, segments);
        var last = segments[^1];
        switch (parent)
        {
            case JsonObject map when map.TryGetPropertyValue(last, out var value):
                removed = value;
                map.Remove(last);
                break;
            case JsonArray list:
                var i = int.Parse(last, CultureInfo.InvariantCulture);
                removed = list[i];
                list.RemoveAt(i);
                break;
            default:
                throw new InvalidOperationException($"path {pointer} does not exist");
        }

        return root;
    }
}
