using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Waylay.Mesh.Yaml;

/// <summary>
/// Typed reads from a YAML node tree that record, instead of throw, what is wrong and where: every problem goes to
/// the reader's <c>report</c> with its field path (<c>spec.http[0].timeout</c>, <c>services[1].ports[0].port</c>),
/// a message that reads on from the path ("must be a list ('- ' items)"), and the YAML line. The mesh file and
/// Istio's networking resources both read through it; each turns a report into its own error record. Walking the
/// node tree by hand, not deserializing by reflection, keeps it NativeAOT-safe.
/// </summary>
internal sealed partial class YamlNodeReader(Action<string, string, int> report)
{
    public void Error(string path, string message, YamlNode? node = null) =>
        report(path, message, node is null ? 0 : (int)node.Start.Line);

    public YamlMappingNode? Mapping(YamlNode node, string path)
    {
        if (node is YamlMappingNode mapping)
        {
            return mapping;
        }

        Error(path, "must be a mapping (key: value lines)", node);
        return null;
    }

    /// <summary>For Istio's resources: a field Waylay does not implement is an error, never silently ignored.</summary>
    public void Supported(YamlMappingNode node, string path, params string[] supported) =>
        OnlyKeys(node, path, supported, "is not supported by Waylay; supported here: ");

    /// <summary>For Waylay's own formats: an unknown key is a typo, never silently "default".</summary>
    public void Known(YamlMappingNode node, string path, params string[] known) =>
        OnlyKeys(node, path, known, "unknown field; expected one of: ");

    /// <summary>The value of <paramref name="key"/>; null when absent or YAML's "no value".</summary>
    public YamlNode? Get(YamlMappingNode node, string key)
    {
        foreach (var (k, v) in node.Children)
        {
            if (k is YamlScalarNode { Value: var name } && name == key)
            {
                // `key:`, `key: ~` and `key: null` are YAML's "no value": the same as leaving the key out.
                return v is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any, Value: null or "" or "~" or "null" } ? null : v;
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

    /// <summary>The items of a list that are mappings, with their paths (an item that is not is reported and left out).</summary>
    public List<(YamlMappingNode Node, string Path)> Items(YamlMappingNode node, string path, string key)
    {
        var result = new List<(YamlMappingNode, string)>();
        if (Sequence(node, path, key, "must be a list ('- ' items)") is not { } sequence)
        {
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
        if (Sequence(node, path, key, "must be a list of strings") is not { } sequence)
        {
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

    /// <summary>A mapping of strings (labels, headers): a value that is not a string is reported and left out.</summary>
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

    private YamlSequenceNode? Sequence(YamlMappingNode node, string path, string key, string problem)
    {
        var value = Get(node, key);
        if (value is null or YamlSequenceNode)
        {
            return value as YamlSequenceNode;
        }

        Error(Join(path, key), problem, value);
        return null;
    }

    private void OnlyKeys(YamlMappingNode node, string path, string[] allowed, string problem)
    {
        foreach (var key in node.Children.Keys)
        {
            var name = (key as YamlScalarNode)?.Value ?? "";
            if (Array.IndexOf(allowed, name) < 0)
            {
                Error(Join(path, name), problem + string.Join(", ", allowed), key);
            }
        }
    }
}
