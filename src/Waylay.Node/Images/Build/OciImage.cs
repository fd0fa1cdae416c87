using System.Globalization;
using System.Text.Json.Nodes;

namespace Waylay.Node.Images.Build;

/// <summary>
/// Assembles the root filesystem into an OCI image with umoci and exports it with skopeo, as an OCI archive.
/// <code>
/// :: Step 1  every file's time set to the source date (touch -h: links too), so the layer's bytes depend on content only
/// :: Step 2  umoci: a layout, the image's config (entrypoint, PATH, created) and one layer from the tree; umoci walks
///            the tree in sorted order and writes the tar and its gzip the same way every time; the gzip then
///            redone at level 9 (LayerCompression.cs), 7.6% smaller than umoci's own
/// :: Step 3  skopeo copy oci: → oci:, then tarred (OciArchive.cs) — an OCI archive, not a docker-archive: it keeps
///            the manifest (and so the digest printed here) byte for byte, where a docker-archive is re-manifested by
///            whoever loads it; podman load, ctr images import and kind load image-archive all take it, and its index
///            names the image by the full reference, so the loaded image is the one the injector names
/// </code>
/// </summary>
internal static class OciImage
{
    /// <summary>Where the image keeps its binaries; first on PATH, ahead of Debian's directories.</summary>
    public const string BinDirectory = "/usr/local/bin";

    /// <param name="contents">What the layer adds to Debian's packages, for its history entry.</param>
    public static async Task<string> AssembleAsync(ImageBuildOptions options, string rootfs, string layout, CancellationToken cancellationToken, string contents = "waylay-proxy, waylay-control")
    {
        var created = options.SourceDate.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

        // :: Step 1 — after the last write into the tree (setting a time does not change the directory's own).
        var date = "--date=@" + options.SourceDate.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var entries = Directory.GetFileSystemEntries(rootfs, "*", SearchOption.AllDirectories);
        Array.Sort(entries, StringComparer.Ordinal);
        foreach (var chunk in entries.Prepend(rootfs).Chunk(512))
        {
            await ImageTools.RunAsync("touch", ["--no-dereference", date, "--", .. chunk], cancellationToken);
        }

        // :: Step 2
        var image = $"{layout}:{options.Reference}";
        await ImageTools.RunAsync("umoci", ["init", "--layout", layout], cancellationToken);
        await ImageTools.RunAsync("umoci", ["new", "--image", image], cancellationToken);
        await ImageTools.RunAsync("umoci",
        [
            "config", "--image", image, "--created", created, "--author", "waylay image build",
            // The injected containers give only args ([capture, …], [proxy, …]); the entrypoint is `waylay`, and
            // the proxy's postStart runs `waylay proxy wait-ready` by name, so it is on PATH too.
            "--config.entrypoint", $"{BinDirectory}/waylay",
            "--config.env", $"PATH={BinDirectory}:/usr/sbin:/usr/bin:/sbin:/bin",
            "--config.workingdir", "/",
            "--history.created", created, "--history.created_by", "waylay image build (config)",
        ], cancellationToken);
        await ImageTools.RunAsync("umoci",
        [
            "insert", "--image", image, "--history.created", created,
            "--history.created_by", $"waylay image build: Debian {options.Suite} ({string.Join(' ', options.Packages)}) and {contents}",
            rootfs, "/",
        ], cancellationToken);

        // :: Step 2b — the layer recompressed at gzip's highest level (LayerCompression.cs)
        return await LayerCompression.RecompressAsync(layout, options.Reference, cancellationToken);
    }

    public static async Task ExportAsync(ImageBuildOptions options, string layout, string exported, CancellationToken cancellationToken)
    {
        // :: Step 3 — skopeo copies exactly the image (umoci's layout also holds the blobs `umoci new` started from);
        // the archive itself is written by OciArchive, deterministically.
        await ImageTools.RunAsync("skopeo", ["copy", "--quiet", $"oci:{layout}:{options.Reference}", $"oci:{exported}:{options.Reference}"], cancellationToken);
        await OciArchive.WriteAsync(exported, options.Output, options.SourceDate, cancellationToken);
    }

    /// <summary>The digest of the layout's one manifest (index.json), the image's identity.</summary>
    public static async Task<string> ManifestDigestAsync(string layout, CancellationToken cancellationToken)
    {
        var index = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(layout, "index.json"), cancellationToken));
        return index?["manifests"]?[0]?["digest"]?.GetValue<string>()
            ?? throw new ImageBuildException($"image build: {layout}/index.json names no manifest; umoci left an incomplete layout");
    }
}
