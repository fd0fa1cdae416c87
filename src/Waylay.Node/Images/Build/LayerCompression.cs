using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Waylay.Node.Images.Build;

/// <summary>
/// Recompresses an image's gzip layers at zlib's highest level. umoci (0.4.7, Debian's) writes a layer with Go's
/// parallel gzip at its default level; the same tar at level 9 (.NET's zlib-ng) was 7.6% smaller on the waylay image
/// (19.39 → 17.92 MB, docs/benchmarks.md), and it is still gzip, which every runtime and `… load` reads (zstd layers
/// would be smaller again but are refused by Docker before 23 and containerd before 1.5). The tar inside is the same
/// bytes, so the config's diff_ids stay; the manifest gets the new digests and the index the new manifest. The output
/// depends only on the tar and the zlib the SDK ships (gzip header time 0), so two builds still give one digest.
/// <code>
/// :: Step 1  each tar+gzip layer of the tagged manifest: inflated and deflated again into a new blob
/// :: Step 2  the manifest rewritten with the new layers' digests and sizes, the index pointed at it
/// </code>
/// </summary>
internal static class LayerCompression
{
    private const string GzipLayer = "application/vnd.oci.image.layer.v1.tar+gzip";

    // Media types keep their '+' unescaped, as umoci writes them (any escaping would do; this one reads as OCI's).
    private static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Returns the digest of the tag's new manifest.</summary>
    public static async Task<string> RecompressAsync(string layout, string reference, CancellationToken cancellationToken)
    {
        var indexPath = Path.Combine(layout, "index.json");
        var index = JsonNode.Parse(await File.ReadAllTextAsync(indexPath, cancellationToken))!;
        var entry = index["manifests"]!.AsArray()
            .FirstOrDefault(m => m?["annotations"]?["org.opencontainers.image.ref.name"]?.GetValue<string>() == reference)
            ?? throw new ImageBuildException($"image build: {layout}/index.json has no manifest tagged {reference}; umoci left an incomplete layout");
        var manifest = JsonNode.Parse(await File.ReadAllBytesAsync(Blob(layout, entry["digest"]!.GetValue<string>()), cancellationToken))!;

        // :: Step 1
        foreach (var layer in manifest["layers"]!.AsArray())
        {
            if (layer!["mediaType"]!.GetValue<string>() != GzipLayer)
            {
                continue;
            }

            var recompressed = Path.Combine(layout, "blobs", "recompressed.partial");
            await using (var input = new GZipStream(File.OpenRead(Blob(layout, layer["digest"]!.GetValue<string>())), CompressionMode.Decompress))
            await using (var output = File.Create(recompressed))
            await using (var gzip = new GZipStream(output, CompressionLevel.SmallestSize))
            {
                await input.CopyToAsync(gzip, cancellationToken);
            }

            var (digest, size) = await StoreAsync(layout, recompressed, cancellationToken);
            layer["digest"] = digest;
            layer["size"] = size;
        }

        // :: Step 2
        var bytes = JsonSerializer.SerializeToUtf8Bytes(manifest, Compact);
        var written = Path.Combine(layout, "blobs", "manifest.partial");
        await File.WriteAllBytesAsync(written, bytes, cancellationToken);
        var (manifestDigest, manifestSize) = await StoreAsync(layout, written, cancellationToken);
        entry["digest"] = manifestDigest;
        entry["size"] = manifestSize;
        await File.WriteAllBytesAsync(indexPath, JsonSerializer.SerializeToUtf8Bytes(index, Compact), cancellationToken);
        return manifestDigest;
    }

    private static string Blob(string layout, string digest) => Path.Combine(layout, "blobs", "sha256", digest["sha256:".Length..]);

    /// <summary>Moves a written file to its content address.</summary>
    private static async Task<(string Digest, long Size)> StoreAsync(string layout, string file, CancellationToken cancellationToken)
    {
        string digest;
        await using (var stream = File.OpenRead(file))
        {
            digest = "sha256:" + Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
        }

        var size = new FileInfo(file).Length;
        File.Move(file, Blob(layout, digest), overwrite: true);
        return (digest, size);
    }
}
