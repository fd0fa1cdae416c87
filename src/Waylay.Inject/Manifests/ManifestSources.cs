namespace Waylay.Inject.Manifests;

/// <summary>Reads <c>-f FILE|DIR|-</c> arguments in order; a directory gives its *.yaml, *.yml and *.json files, sorted by name.</summary>
internal static class ManifestSources
{
    private static readonly string[] Extensions = [".yaml", ".yml", ".json"];

    public static IReadOnlyList<ManifestInput> Read(IEnumerable<string> paths, TextReader stdin)
    {
        var inputs = new List<ManifestInput>();
        foreach (var path in paths)
        {
            if (path == "-")
            {
                inputs.Add(new ManifestInput("<stdin>", stdin.ReadToEnd()));
            }
            else if (Directory.Exists(path))
            {
                var files = Directory.EnumerateFiles(path)
                    .Where(f => Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
                    .Order(StringComparer.Ordinal)
                    .ToList();
                if (files.Count == 0)
                {
                    throw new ManifestException($"{path}: the directory has no .yaml, .yml or .json files; point -f at a manifest or a directory of them.");
                }

                inputs.AddRange(files.Select(f => new ManifestInput(f, File.ReadAllText(f))));
            }
            else if (File.Exists(path))
            {
                inputs.Add(new ManifestInput(path, File.ReadAllText(path)));
            }
            else
            {
                throw new ManifestException($"{path}: no such file or directory; pass a manifest file, a directory of manifests, or - for stdin.");
            }
        }

        return inputs;
    }
}
