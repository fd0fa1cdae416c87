using System.Text.Json.Nodes;

namespace Waylay.Node.Images.Store;

/// <summary>
/// What an OCI image's config says a container runs (image-spec config.md, <c>config</c>): its Entrypoint and Cmd,
/// the Env it sets (NAME=value), its WorkingDir and its User (<c>uid</c>, <c>uid:gid</c> or a name in its /etc/passwd).
/// </summary>
internal sealed record ImageConfig(
    IReadOnlyList<string> Entrypoint,
    IReadOnlyList<string> Cmd,
    IReadOnlyDictionary<string, string> Environment,
    string? WorkingDirectory,
    string? User)
{
    public static ImageConfig Parse(JsonNode? document)
    {
        var config = document?["config"];
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in Strings(config?["Env"]))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            environment[equals < 0 ? pair : pair[..equals]] = equals < 0 ? "" : pair[(equals + 1)..];
        }

        return new ImageConfig(
            Strings(config?["Entrypoint"]),
            Strings(config?["Cmd"]),
            environment,
            config?["WorkingDir"]?.GetValue<string>() is { Length: > 0 } directory ? directory : null,
            config?["User"]?.GetValue<string>() is { Length: > 0 } user ? user : null);
    }

    private static IReadOnlyList<string> Strings(JsonNode? node) =>
        node is JsonArray array ? [.. array.Select(v => v?.GetValue<string>() ?? "")] : [];
}
