using System.Text.Json.Nodes;
using Waylay.Inject;
using Waylay.Inject.Manifests;
using Waylay.Inject.Yaml;

namespace Waylay.Node.Up;

/// <summary>
/// The files <c>waylay up</c> reads: each path a file, or a directory searched recursively for <c>*.yaml</c> and
/// <c>*.yml</c> (sorted, so a run reads the same order each time). A file in a directory none of whose documents is a
/// Kubernetes object (no <c>apiVersion</c> and <c>kind</c>: a values file, a CI config) is skipped and named; a file
/// given by name is always read.
/// </summary>
internal static class ManifestFiles
{
    public static IReadOnlyList<ManifestInput> Read(IReadOnlyList<string> paths, List<string> skipped)
    {
        var inputs = new List<ManifestInput>();
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                var files = Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
                    .Where(f => Path.GetExtension(f) is ".yaml" or ".yml")
                    .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(p => p is "bin" or "obj"))
                    .Order(StringComparer.Ordinal)
                    .ToList();
                foreach (var file in files)
                {
                    var text = File.ReadAllText(file);
                    if (IsKubernetes(text, file))
                    {
                        inputs.Add(new ManifestInput(file, text));
                    }
                    else
                    {
                        skipped.Add(file);
                    }
                }
            }
            else if (File.Exists(path))
            {
                inputs.Add(new ManifestInput(path, File.ReadAllText(path)));
            }
            else
            {
                throw new ManifestException($"{path}: no such file or directory; pass a manifest file or a directory of manifests");
            }
        }

        if (inputs.Count == 0)
        {
            throw new ManifestException($"{string.Join(", ", paths)}: no Kubernetes manifests found (*.yaml or *.yml files with apiVersion and kind); point waylay up at a manifest or a directory of them");
        }

        return inputs;
    }

    private static bool IsKubernetes(string text, string source)
    {
        try
        {
            return YamlReader.ReadDocuments(text, source).OfType<JsonObject>().Any(d => d["apiVersion"] is not null && d["kind"] is not null);
        }
        catch (ManifestException)
        {
            return false; // not YAML we can read: not a manifest of this directory
        }
    }
}
