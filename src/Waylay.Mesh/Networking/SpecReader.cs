using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Waylay.Mesh.Networking;

/// <summary>
/// Typed reads from one resource's YAML tree that record, instead of throw, what is wrong and where. Every error
/// names the resource and the field path; a field Waylay does not implement is an error, never silently ignored.
/// </summary>
internal sealed class SpecReader(List<NetworkingError> errors, string resource)
{
    public string Resource { get; } = resource;

    public void Error(string path, string message, YamlNode? node = null) =>
        errors.Add(new NetworkingError(Resource, path, message, node is null ? 0 : (int)node.Start.Line));

    public YamlMappingNode? Mapping(YamlNode node, string path)
    {
        if (node is YamlMappingNode mapping)
        {
            return mapping;
        }

        Error(path, "must be a mapping (key: value lines)", node);
        return null;
    }

    /// <summary>Rejects every key not in <paramref name="supported"/>, naming what is.</summary>
    public void Supported(YamlMappingNode node, string path, params string[] supported)
    {
        foreach (var key in node.Children.Keys)
        {
            var name = (key as YamlScalarNode)?.Value ?? "";
            if (Array.IndexOf(supported, name) < 0)
            {
                Error(Join(path, name), $"is not supported by Waylay; supported here: {string.Join(", ", supported)}", key);
            }
        }
    }

    public YamlNode? Get(YamlMappingNode node, string key)
    {
        foreach (var (k, v) in node.Children)
        {
            if (k is YamlScalarNode { Value: var name } && name == key)
            {
                // `key:`, `key: ~` and `key: null` are YAML's "no value": the same as leaving the key out.
                return v is YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain or YamlDotNet.Core.ScalarStyle.Any, Value: null or "" or "~" or "null" } ? null : v;
            }
        }

        return null;
    }

    public YamlMappingNode? OptionalMapping(YamlMappingNode node, string path, string key) =>
        Get(node, key) is { } value ? Mapping(value, Join(path, key)) : null;

    public string? String(YamlMappingNode node, string path, string key, bool required = false)
    {
        var value = Get(node, key);
        if (value is null)
        {
            if (required)
            {
                Error(Join(path, key), "is required", node);
            }

            return null;
        }

        if (value is YamlScalarNode scalar)
        {
            if (string.IsNullOrEmpty(scalar.Value) && required)
            {
                Error(Join(path, key), "must not be empty", value);
                return null;
            }

            return scalar.Value;
        }

        Error(Join(path, key), "must be a single value, not a list or mapping", value);
        return null;
    }

    public long? Integer(YamlMappingNode node, string path, string key, long min, long max)
    {
        var text = String(node, path, key);
        if (text is null)
        {
            return null;
        }

        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        Error(Join(path, key), $"must be a whole number from {min} to {max}, not '{text}'", Get(node, key));
        return null;
    }

    public double? Number(YamlMappingNode node, string path, string key, double min, double max)
    {
        var text = String(node, path, key);
        if (text is null)
        {
            return null;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        Error(Join(path, key), $"must be a number from {min} to {max}, not '{text}'", Get(node, key));
        return null;
    }

    /// <summary>A duration; Istio refuses anything under 1ms except where <paramref name="allowZero"/> says 0 means "off".</summary>
    public TimeSpan? Duration(YamlMappingNode node, string path, string key, bool allowZero = false)
    {
        var text = String(node, path, key);
        if (text is null)
        {
            return null;
        }

        if (!IstioDuration.TryParse(text, out var value, out var error))
        {
            Error(Join(path, key), error!, Get(node, key));
            return null;
        }

        if (value < TimeSpan.FromMilliseconds(1) && !(allowZero && value == TimeSpan.Zero))
        {
            Error(Join(path, key), $"must be at least 1ms, not '{text}'", Get(node, key));
            return null;
        }

        return value;
    }

    public ushort? PortNumber(YamlMappingNode node, string path, string key)
    {
        if (OptionalMapping(node, path, key) is not { } port)
        {
            return null;
        }

        var portPath = Join(path, key);
        Supported(port, portPath, "number");
        var number = Integer(port, portPath, "number", 1, 65535);
        if (number is null && Get(port, "number") is null)
        {
            Error(Join(portPath, "number"), "is required", port);
        }

        return (ushort?)number;
    }

    /// <summary>The items of a list that are mappings, with their paths.</summary>
    public List<(YamlMappingNode Node, string Path)> Items(YamlMappingNode node, string path, string key)
    {
        var result = new List<(YamlMappingNode, string)>();
        var value = Get(node, key);
        if (value is null)
        {
            return result;
        }

        if (value is not YamlSequenceNode sequence)
        {
            Error(Join(path, key), "must be a list ('- ' items)", value);
            return result;
        }

        for (var i = 0; i < sequence.Children.Count; i++)
        {
            var itemPath = $"{Join(path, key)}[{i}]";
            if (Mapping(sequence.Children[i], itemPath) is { } mapping)
            {
                result.Add((mapping, itemPath));
            }
        }

        return result;
    }

    public List<string> Strings(YamlMappingNode node, string path, string key)
    {
        var result = new List<string>();
        var value = Get(node, key);
        if (value is null)
        {
            return result;
        }

        if (value is not YamlSequenceNode sequence)
        {
            Error(Join(path, key), "must be a list of strings", value);
            return result;
        }

        for (var i = 0; i < sequence.Children.Count; i++)
        {
            if (sequence.Children[i] is YamlScalarNode { Value: { } text })
            {
                result.Add(text);
            }
            else
            {
                Error($"{Join(path, key)}[{i}]", "must be a string", sequence.Children[i]);
            }
        }

        return result;
    }

    public Dictionary<string, string> StringMap(YamlMappingNode node, string path, string key)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (OptionalMapping(node, path, key) is not { } map)
        {
            return result;
        }

        foreach (var (k, v) in map.Children)
        {
            var name = (k as YamlScalarNode)?.Value ?? "";
            if (v is YamlScalarNode { Value: var text })
            {
                result[name] = text ?? "";
            }
            else
            {
                Error(Join(Join(path, key), name), "must be a string", v);
            }
        }

        return result;
    }

    public static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";
}
