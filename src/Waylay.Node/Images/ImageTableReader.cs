using System.Text.Json;
using System.Text.Json.Nodes;
using Waylay.Inject.Yaml;

namespace Waylay.Node.Images;

/// <summary>
/// Reads an <c>--images</c> file: a YAML mapping of image pattern → entry.
/// <code>
/// "registry.example/shop/*:1.*":
///   command: [/usr/local/bin/shop]
///   args: [--port, "8080"]
///   env: {SHOP_MODE: test}
///   workingDir: /srv/shop
/// </code>
/// Every error in the file is reported at once, each naming the pattern and the field.
/// </summary>
internal static class ImageTableReader
{
    private static readonly HashSet<string> Fields = ["command", "args", "env", "workingDir"];

    public static IReadOnlyList<(string Pattern, ImageEntry Entry)> Read(string text, string source)
    {
        var documents = YamlReader.ReadDocuments(text, source).Where(d => d is not null).ToList();
        if (documents is not [JsonObject root])
        {
            throw new ImageTableException($"{source}: an image table is one YAML mapping of image pattern → {{command, args, env, workingDir}}; found {documents.Count} document(s) of another shape");
        }

        var entries = new List<(string, ImageEntry)>();
        var errors = new List<string>();
        foreach (var (pattern, node) in root)
        {
            if (node is not JsonObject fields)
            {
                errors.Add($"{source}: '{pattern}': give a mapping with command (a list), args, env, workingDir");
                continue;
            }

            foreach (var unknown in fields.Select(f => f.Key).Where(k => !Fields.Contains(k)))
            {
                errors.Add($"{source}: '{pattern}': unknown field '{unknown}'; the fields are command, args, env, workingDir");
            }

            var command = Strings(fields["command"], $"{source}: '{pattern}'.command", errors);
            if (command.Count == 0)
            {
                errors.Add($"{source}: '{pattern}': command is required (the program's path, then its fixed arguments)");
                continue;
            }

            var env = new Dictionary<string, string>(StringComparer.Ordinal);
            if (fields["env"] is JsonObject map)
            {
                foreach (var (key, value) in map)
                {
                    env[key] = Scalar(value) ?? "";
                }
            }
            else if (fields["env"] is not null)
            {
                errors.Add($"{source}: '{pattern}'.env: give a mapping NAME: value");
            }

            entries.Add((pattern, new ImageEntry(command)
            {
                Args = Strings(fields["args"], $"{source}: '{pattern}'.args", errors),
                Environment = env,
                WorkingDirectory = Scalar(fields["workingDir"]),
            }));
        }

        return errors.Count > 0 ? throw new ImageTableException(string.Join("\n", errors)) : entries;
    }

    private static IReadOnlyList<string> Strings(JsonNode? node, string where, List<string> errors)
    {
        switch (node)
        {
            case null:
                return [];
            case JsonArray list:
                return [.. list.Select(i => Scalar(i) ?? "")];
            default:
                errors.Add($"{where}: give a list, e.g. [/usr/bin/program, --flag]");
                return [];
        }
    }

    private static string? Scalar(JsonNode? node) => node switch
    {
        JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>(),
        JsonValue value => value.ToJsonString(),
        _ => null,
    };
}
