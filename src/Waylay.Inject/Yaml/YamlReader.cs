using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Waylay.Inject.Yaml;

/// <summary>
/// Reads a YAML (or JSON, which is YAML) stream into one JSON tree per document, keeping every field and the
/// order of keys, so that a manifest goes back out with whatever Waylay does not know about intact.
/// Comments are not kept: YAML parsers do not report them.
/// </summary>
internal static class YamlReader
{
    public static IReadOnlyList<JsonNode?> ReadDocuments(string text, string source)
    {
        var documents = new List<JsonNode?>();
        var parser = new Parser(new StringReader(text));
        var anchors = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        try
        {
            parser.Consume<StreamStart>();
            while (parser.TryConsume<DocumentStart>(out _))
            {
                anchors.Clear();
                var root = parser.Accept<DocumentEnd>(out _) ? null : ReadNode(parser, anchors, source);
                parser.Consume<DocumentEnd>();
                documents.Add(root);
            }

            parser.Consume<StreamEnd>();
        }
        catch (YamlException e)
        {
            throw new ManifestException($"{source}: line {e.Start.Line}, column {e.Start.Column}: {e.Message} Fix the YAML syntax there.");
        }

        return documents;
    }

    private static JsonNode? ReadNode(IParser parser, Dictionary<string, JsonNode?> anchors, string source)
    {
        if (parser.TryConsume<AnchorAlias>(out var alias))
        {
            if (!anchors.TryGetValue(alias.Value.Value, out var target))
            {
                throw new ManifestException($"{source}: line {alias.Start.Line}: alias *{alias.Value} names no anchor. Define &{alias.Value} before using it.");
            }

            return target?.DeepClone();
        }

        if (parser.TryConsume<Scalar>(out var scalar))
        {
            var value = ResolveScalar(scalar);
            Remember(anchors, scalar.Anchor, value);
            return value;
        }

        if (parser.TryConsume<SequenceStart>(out var sequenceStart))
        {
            var array = new JsonArray();
            while (!parser.TryConsume<SequenceEnd>(out _))
            {
                array.Add(ReadNode(parser, anchors, source));
            }

            Remember(anchors, sequenceStart.Anchor, array);
            return array;
        }

        var mappingStart = parser.Consume<MappingStart>();
        var map = new JsonObject();
        while (!parser.TryConsume<MappingEnd>(out _))
        {
            var keyStart = parser.Current!.Start;
            if (ReadNode(parser, anchors, source) is not JsonValue keyNode)
            {
                throw new ManifestException($"{source}: line {keyStart.Line}, column {keyStart.Column}: a mapping key must be a plain value, not a list, a mapping or null.");
            }

            var key = keyNode.ToString();
            var value = ReadNode(parser, anchors, source);
            if (!map.TryAdd(key, value))
            {
                throw new ManifestException($"{source}: line {keyStart.Line}, column {keyStart.Column}: duplicate key '{key}'. Remove one of them: Kubernetes rejects duplicate fields.");
            }
        }

        Remember(anchors, mappingStart.Anchor, map);
        return map;
    }

    private static JsonNode? ResolveScalar(Scalar scalar)
    {
        var tag = scalar.Tag.IsEmpty ? null : scalar.Tag.Value;
        if (tag is "tag:yaml.org,2002:str" || (tag is null && !scalar.IsPlainImplicit))
        {
            return JsonValue.Create(scalar.Value);
        }

        return ScalarResolver.ResolvePlain(scalar.Value);
    }

    private static void Remember(Dictionary<string, JsonNode?> anchors, AnchorName anchor, JsonNode? node)
    {
        if (!anchor.IsEmpty)
        {
            anchors[anchor.Value] = node;
        }
    }
}
