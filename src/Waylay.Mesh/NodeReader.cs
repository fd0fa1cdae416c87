using System.Globalization;
using System.Net;
using YamlDotNet.RepresentationModel;

namespace Waylay.Mesh;

/// <summary>Typed reads from a YAML node tree that record, instead of throw, what is wrong and where.</summary>
internal sealed class NodeReader(List<MeshError> errors)
{
    public YamlMappingNode? Mapping(YamlNode node, string path)
    {
        if (node is YamlMappingNode mapping)
        {
            return mapping;
        }

        errors.Add(new MeshError(path, "expected a mapping (key: value lines)", Line(node)));
        return null;
    }

    public T Fail<T>(YamlNode node, string path, string message)
    {
        errors.Add(new MeshError(path, message, Line(node)));
        return default!;
    }

    public void OnlyKeys(YamlMappingNode node, string path, params string[] allowed)
    {
        foreach (var key in node.Children.Keys)
        {
            var name = (key as YamlScalarNode)?.Value ?? "";
            if (Array.IndexOf(allowed, name) < 0)
            {
                errors.Add(new MeshError($"{path}.{name}", $"unknown field; expected one of: {string.Join(", ", allowed)}", Line(key)));
            }
        }
    }

    public string? OptionalString(YamlMappingNode node, string path, string key)
    {
        if (!node.Children.TryGetValue(new YamlScalarNode(key), out var value))
        {
            return null;
        }

        if (value is YamlScalarNode scalar)
        {
            return string.IsNullOrEmpty(scalar.Value) ? null : scalar.Value;
        }

        errors.Add(new MeshError($"{path}.{key}", "expected a single value, not a list or mapping", Line(value)));
        return null;
    }

    public string? RequiredString(YamlMappingNode node, string path, string key)
    {
        var value = OptionalString(node, path, key);
        if (value is null && !errors.Any(e => e.Path == $"{path}.{key}"))
        {
            errors.Add(new MeshError($"{path}.{key}", $"required: add '{key}: <value>'", Line(node)));
        }

        return value;
    }

    public YamlMappingNode? OptionalMapping(YamlMappingNode node, string path, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? Mapping(value, $"{path}.{key}") : null;

    public ushort? Port(YamlMappingNode node, string path, string key, bool required)
    {
        if (!node.Children.TryGetValue(new YamlScalarNode(key), out var value))
        {
            if (required)
            {
                errors.Add(new MeshError($"{path}.{key}", $"required: add '{key}: <1-65535>'", Line(node)));
            }

            return null;
        }

        return PortValue(value, $"{path}.{key}");
    }

    public ushort? PortValue(YamlNode value, string path)
    {
        if (value is YamlScalarNode { Value: { } text }
            && ushort.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port > 0)
        {
            return port;
        }

        errors.Add(new MeshError(path, $"'{(value as YamlScalarNode)?.Value}' is not a port: use a number from 1 to 65535", Line(value)));
        return null;
    }

    public IPAddress? Address(YamlMappingNode node, string path, string key)
    {
        var text = RequiredString(node, path, key);
        return text is null ? null : ParseAddress(text, $"{path}.{key}", node);
    }

    public IReadOnlyList<IPAddress> Addresses(YamlMappingNode node, string path, string key)
    {
        var result = new List<IPAddress>();
        if (!node.Children.TryGetValue(new YamlScalarNode(key), out var value))
        {
            return result;
        }

        if (value is not YamlSequenceNode sequence)
        {
            errors.Add(new MeshError($"{path}.{key}", "expected a list of IP addresses, e.g. [10.96.0.10]", Line(value)));
            return result;
        }

        for (var i = 0; i < sequence.Children.Count; i++)
        {
            var item = sequence.Children[i];
            if (ParseAddress((item as YamlScalarNode)?.Value ?? "", $"{path}.{key}[{i}]", item) is { } address)
            {
                result.Add(address);
            }
        }

        return result;
    }

    public IReadOnlyDictionary<string, string> Labels(YamlMappingNode node, string path)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (OptionalMapping(node, path, "labels") is { } map)
        {
            foreach (var (key, value) in map.Children)
            {
                var name = (key as YamlScalarNode)?.Value ?? "";
                if (value is YamlScalarNode { Value: var text })
                {
                    labels[name] = text ?? "";
                }
                else
                {
                    errors.Add(new MeshError($"{path}.labels.{name}", "a label value must be a string", Line(value)));
                }
            }
        }

        return labels;
    }

    public IReadOnlyList<T> List<T>(YamlMappingNode node, string key, Func<NodeReader, YamlMappingNode, string, T?> read, string? parent = null)
        where T : class
    {
        var result = new List<T>();
        var path = parent is null ? key : $"{parent}.{key}";
        if (!node.Children.TryGetValue(new YamlScalarNode(key), out var value) || value is YamlScalarNode { Value: null or "" })
        {
            return result;
        }

        if (value is not YamlSequenceNode sequence)
        {
            errors.Add(new MeshError(path, "expected a list ('- ' items)", Line(value)));
            return result;
        }

        for (var i = 0; i < sequence.Children.Count; i++)
        {
            var itemPath = $"{path}[{i}]";
            if (Mapping(sequence.Children[i], itemPath) is { } mapping && read(this, mapping, itemPath) is { } item)
            {
                result.Add(item);
            }
        }

        return result;
    }

    private IPAddress? ParseAddress(string text, string path, YamlNode node)
    {
        if (IPAddress.TryParse(text, out var address) && !text.Contains('/'))
        {
            return address;
        }

        errors.Add(new MeshError(path, $"'{text}' is not an IP address: write e.g. 10.96.0.10 or fd00:96::10 (no prefix length, no host name)", Line(node)));
        return null;
    }

    private static int Line(YamlNode node) => (int)node.Start.Line;
}
