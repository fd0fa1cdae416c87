using System.Text.Json.Nodes;
using Waylay.Inject;
using Waylay.Inject.Manifests;
using Waylay.Inject.Yaml;

namespace Waylay.Node.Up;

/// <summary>
/// The files <c>waylay up</c> reads: each path a file, or a directory searched recursively for <c>*.yaml</c> and
/// <c>*.yml</c> (sorted, so a run reads the same order each time), or only the resources its kustomization lists. A file in a directory none of whose documents is a
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
                ReadDirectory(path, inputs, skipped, []);
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

    /// <summary>
    /// A directory with a <c>kustomization.yaml</c> is read as <c>kubectl apply -k</c> reads it: only its
    /// <c>resources</c> (files, or directories read the same way), so a directory can hold manifests that are applied
    /// later by hand (Istio's task rules beside Bookinfo) without <c>waylay up DIR</c> applying them all at once.
    /// Anything else a kustomization can do (patches, generators, overlays) is refused by name: render it with
    /// <c>kubectl kustomize</c> and pass the result.
    /// </summary>
    private static void ReadDirectory(string directory, List<ManifestInput> inputs, List<string> skipped, HashSet<string> seen)
    {
        if (!seen.Add(Path.GetFullPath(directory)))
        {
            throw new ManifestException($"{directory}: a kustomization's resources lead back to this directory; remove the cycle");
        }

        if (Kustomization(directory) is { } kustomization)
        {
            foreach (var resource in KustomizationResources(kustomization))
            {
                var full = Path.Combine(directory, resource);
                if (Directory.Exists(full))
                {
                    ReadDirectory(full, inputs, skipped, seen);
                }
                else if (File.Exists(full))
                {
                    inputs.Add(new ManifestInput(full, File.ReadAllText(full)));
                }
                else
                {
                    throw new ManifestException($"{kustomization}: resource '{resource}' does not exist ({full}); fix the path in its resources list");
                }
            }

            return;
        }

        var files = Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
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

    private static string? Kustomization(string directory) =>
        new[] { "kustomization.yaml", "kustomization.yml", "Kustomization" }
            .Select(name => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists);

    private static List<string> KustomizationResources(string file)
    {
        var documents = YamlReader.ReadDocuments(File.ReadAllText(file), file).OfType<JsonObject>().ToList();
        if (documents.Count != 1)
        {
            throw new ManifestException($"{file}: a kustomization is one YAML document; it has {documents.Count}");
        }

        var resources = new List<string>();
        foreach (var (key, value) in documents[0])
        {
            switch (key)
            {
                case "apiVersion" or "kind":
                    break;
                case "resources" when value is JsonArray list:
                    foreach (var item in list)
                    {
                        resources.Add(item?.GetValueKind() == System.Text.Json.JsonValueKind.String
                            ? item.GetValue<string>()
                            : throw new ManifestException($"{file}: resources lists paths (strings); one item is {item?.ToJsonString() ?? "null"}"));
                    }

                    break;
                case "resources":
                    throw new ManifestException($"{file}: resources must be a list of paths");
                default:
                    throw new ManifestException($"{file}: '{key}' is not supported by waylay up, which reads only a kustomization's resources; render it with 'kubectl kustomize {Path.GetDirectoryName(file)}' and pass the output");
            }
        }

        return resources;
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
