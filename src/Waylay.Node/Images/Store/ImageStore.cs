using System.Formats.Tar;
using System.Text.Json.Nodes;
using Waylay.Linux;

namespace Waylay.Node.Images.Store;

/// <summary>
/// The node's images (what containerd's content store is to a kubelet), for <c>waylay up --runtime oci</c>:
/// <code>
///  &lt;root&gt;/oci/                  one OCI image layout; each image named by its normalised reference
///  &lt;root&gt;/rootfs/&lt;layers&gt;/      its layers unpacked once (umoci raw unpack; keyed by the layers' digests, so
///                               images differing only in config share it), the read-only lower layer of every
///                               container of those images (Processes/Oci/OciBundle.cs mounts an overlay per container)
/// </code>
/// One shared unpacked tree with an overlay per container, not <c>umoci unpack</c> per container: measured on the
/// waylay image (43 MB unpacked), an unpack is 1.7 s and an overlay mount 2 ms (docs/benchmarks.md).
/// <c>waylay image load FILE</c> imports an OCI archive (skopeo copy oci-archive: → oci:); <c>waylay image pull REF</c>
/// and <c>waylay up --runtime oci</c> copy from a registry (ImageStore.Pull.cs, ImagePulls.cs).
/// </summary>
internal sealed partial class ImageStore(string root) : IImageSource
{
    /// <summary>Where images live unless <c>WAYLAY_IMAGE_STORE</c> says otherwise: they outlive runs and reboots.</summary>
    public const string DefaultRoot = "/var/lib/waylay/images";

    private const string RefName = "org.opencontainers.image.ref.name";

    public string Root { get; } = root;

    public string Layout => Path.Combine(Root, "oci");

    /// <summary>The store of this machine: <c>WAYLAY_IMAGE_STORE</c>, else <see cref="DefaultRoot"/>.</summary>
    public static ImageStore ForThisMachine() =>
        new(Environment.GetEnvironmentVariable("WAYLAY_IMAGE_STORE") is { Length: > 0 } given ? Path.GetFullPath(given) : DefaultRoot);

    /// <summary>Imports every image the OCI archive names; returns them as stored.</summary>
    public async Task<IReadOnlyList<StoredImage>> LoadAsync(string archive, CancellationToken cancellationToken)
    {
        if (!File.Exists(archive))
        {
            throw new ImageStoreException($"image load: {archive}: no such file; give an OCI archive (waylay image build writes one)");
        }

        var references = await ArchiveReferencesAsync(archive, cancellationToken);
        Directory.CreateDirectory(Root);
        var loaded = new List<StoredImage>();
        foreach (var (inArchive, reference) in references)
        {
            await RunAsync("image load", "skopeo", ["copy", "--quiet", $"oci-archive:{archive}:{inArchive}", $"oci:{Layout}:{reference}"], cancellationToken);
            loaded.Add(await UnpackAsync(reference, "image load", cancellationToken));
        }

        return loaded;
    }

    /// <summary>Every image in the store, by reference.</summary>
    public IReadOnlyList<StoredImage> List()
    {
        var index = Path.Combine(Layout, "index.json");
        if (!File.Exists(index))
        {
            return [];
        }

        var images = new List<StoredImage>();
        foreach (var manifest in JsonNode.Parse(File.ReadAllText(index))?["manifests"]?.AsArray() ?? [])
        {
            if (manifest?["annotations"]?[RefName]?.GetValue<string>() is { } reference && manifest["digest"]?.GetValue<string>() is { } digest)
            {
                images.Add(Read(reference, digest));
            }
        }

        return [.. images.OrderBy(i => i.Reference, StringComparer.Ordinal)];
    }

    /// <summary>The stored image of that reference; for one pinned by digest, also an image of the same repository
    /// stored under a tag with that manifest digest (the content is the same, as containerd finds it).</summary>
    public StoredImage? Find(string image)
    {
        var reference = ImageReference.Normalize(image);
        var images = List();
        var at = reference.IndexOf('@', StringComparison.Ordinal);
        return images.FirstOrDefault(i => i.Reference == reference)
            ?? (at < 0 ? null : images.FirstOrDefault(i => i.Digest == reference[(at + 1)..] && i.Reference.StartsWith(reference[..at] + ":", StringComparison.Ordinal)));
    }

    /// <summary>Unpacks a stored image's layers once (shared by every image with the same layers).</summary>
    private async Task<StoredImage> UnpackAsync(string reference, string verb, CancellationToken cancellationToken)
    {
        var image = Find(reference) ?? throw new ImageStoreException($"{verb}: skopeo copied {reference} but {Layout}/index.json does not name it");
        if (!Directory.Exists(image.Rootfs))
        {
            // Unpacked beside its final place and renamed: a failed unpack never leaves a half tree that looks whole.
            var partial = image.Rootfs + ".partial";
            if (Directory.Exists(partial))
            {
                Directory.Delete(partial, recursive: true);
            }

            Directory.CreateDirectory(Path.GetDirectoryName(partial)!);
            await RunAsync(verb, "umoci", ["raw", "unpack", "--image", $"{Layout}:{image.Reference}", partial], cancellationToken);
            Directory.Move(partial, image.Rootfs);
        }

        return image;
    }

    /// <summary>What a container of <paramref name="image"/> runs, by Kubernetes' rule: <c>command</c> replaces the
    /// Entrypoint (and drops Cmd), <c>args</c> replace Cmd.</summary>
    public ResolvedImage Resolve(string image, IReadOnlyList<string>? command, IReadOnlyList<string>? args)
    {
        var stored = Find(image) ?? throw new ImageStoreException(
            ImageReference.Normalize(image) == Build.ImageBuildOptions.DefaultReference
                // Waylay's own image: the sidecars, the control plane and the ingress gateway run from it.
                ? $"image '{image}' (Waylay's image: the sidecars, the control plane and the ingress gateway run from it) is not in the image store ({Root}); build and load it with: waylay image build --out waylay.tar && waylay image load waylay.tar"
                : $"image '{image}' is not in the image store ({Root}); load it with: waylay image load FILE (an OCI archive, e.g. from waylay image build), or pull it with: waylay image pull {image}");
        var argv = new ImageEntry(stored.Config.Entrypoint) { Args = stored.Config.Cmd }.Argv(command, args);
        return argv.Count == 0
            ? throw new ImageStoreException($"image '{image}' has no Entrypoint or Cmd, and the container gives no command; give it one")
            : new ResolvedImage(image, argv, stored.Config.Environment, stored.Config.WorkingDirectory) { Stored = stored };
    }

    private StoredImage Read(string reference, string digest)
    {
        var manifest = JsonNode.Parse(File.ReadAllText(Blob(digest)));
        var config = manifest?["config"]?["digest"]?.GetValue<string>()
            ?? throw new ImageStoreException($"image {reference}: its manifest {digest} names no config; load the image again");
        var layers = manifest?["layers"]?.AsArray() ?? [];
        var size = layers.Sum(l => l?["size"]?.GetValue<long>() ?? 0);
        // Keyed by the layers, not the manifest: images that differ only in their config (Bookinfo's six) share one tree.
        var key = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes(string.Join('\n', layers.Select(l => l?["digest"]?.GetValue<string>())))));
        return new StoredImage(reference, digest, ImageConfig.Parse(JsonNode.Parse(File.ReadAllText(Blob(config)))), size,
            Path.Combine(Root, "rootfs", key));
    }

    private string Blob(string digest) => Path.Combine(Layout, "blobs", digest.Replace(':', '/'));

    /// <summary>The images an archive's index.json names (<c>org.opencontainers.image.ref.name</c>), each with the
    /// reference it is stored under.</summary>
    private static async Task<List<(string InArchive, string Stored)>> ArchiveReferencesAsync(string archive, CancellationToken cancellationToken)
    {
        await using var file = File.OpenRead(archive);
        JsonNode? index = null;
        try
        {
            await using var tar = new TarReader(file);
            while (await tar.GetNextEntryAsync(copyData: false, cancellationToken) is { } entry)
            {
                if (entry.Name.TrimStart('.', '/') == "index.json" && entry.DataStream is { } data)
                {
                    index = await JsonNode.ParseAsync(data, cancellationToken: cancellationToken);
                    break;
                }
            }
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException or System.Text.Json.JsonException)
        {
            throw new ImageStoreException($"image load: {archive} is not an OCI archive ({e.Message}); give a tar of an OCI image layout (waylay image build writes one)");
        }

        var references = (index?["manifests"]?.AsArray() ?? [])
            .Select(m => m?["annotations"]?[RefName]?.GetValue<string>())
            .OfType<string>()
            .Select(r => (r, ImageReference.Normalize(r)))
            .ToList();
        return references.Count > 0
            ? references
            : throw new ImageStoreException($"image load: {archive} has no index.json naming an image ({RefName}); give an OCI archive of a tagged image (skopeo copy … oci-archive:FILE:REF)");
    }

    private static async Task RunAsync(string verb, string tool, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var result = await Exec.RunAsync(tool, arguments, null, cancellationToken);
        if (result.ExitCode == 127)
        {
            throw new ImageStoreException($"{verb}: {tool} is not installed; install it with: apt-get install {tool}");
        }

        if (!result.Succeeded)
        {
            throw new ImageStoreException($"{verb}: {tool} {string.Join(' ', arguments)} failed (exit {result.ExitCode}): {result.Diagnostic}");
        }
    }
}
