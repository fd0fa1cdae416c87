using System.CommandLine;
using Waylay.Commands;
using Waylay.Node.Images.Build;
using Waylay.Node.Images.Store;

namespace Waylay.Cli.Commands;

/// <summary><c>waylay image build [--tag T] [--out FILE]</c>: the OCI image archive both injected containers run from;
/// <c>waylay image load FILE</c>, <c>waylay image pull REF</c> and <c>waylay image ls</c>: the local store <c>waylay up --runtime oci</c> runs images from.</summary>
internal static class ImageCommand
{
    public static Command Create()
    {
        var tag = new Option<string>("--tag") { Description = "The image reference written into the archive (default: the injector's image)", DefaultValueFactory = _ => ImageBuildOptions.DefaultReference };
        var output = new Option<string>("--out") { Description = "The OCI archive to write (default: waylay-image.tar)", DefaultValueFactory = _ => "waylay-image.tar" };
        var proxy = new Option<string?>("--proxy-binary") { Description = "The NativeAOT sidecar to ship (default: waylay-proxy beside this CLI, else .build/sidecar/waylay-proxy)" };
        var bookinfo = new Option<bool>("--bookinfo") { Description = "Build Waylay's Bookinfo instead: the six images Istio's Bookinfo manifests name, in one archive (default: bookinfo-images.tar), for waylay up --runtime oci" };
        var control = new Option<string?>("--control-binary") { Description = "The NativeAOT control plane and webhook to ship (default: waylay-control beside this CLI, else .build/control/waylay-control)" };
        var build = new Command("build", "Build the Waylay image (Debian packages + the NativeAOT sidecar, control plane and webhook) as an OCI archive; prints its digest.") { tag, output, proxy, control, bookinfo };
        build.SetAction((parse, cancellationToken) => CliHost.GuardAsync(async () =>
        {
            var root = Environment.GetEnvironmentVariable("WAYLAY_ROOT") is { Length: > 0 } r ? r : Directory.GetCurrentDirectory();
            var beside = Path.Combine(AppContext.BaseDirectory, "waylay-proxy");
            var controlBeside = Path.Combine(AppContext.BaseDirectory, "waylay-control");
            var options = new ImageBuildOptions(
                parse.GetValue(tag)!,
                Path.GetFullPath(parse.GetValue(output)!),
                parse.GetValue(proxy) ?? (File.Exists(beside) ? beside : Path.Combine(root, ".build/sidecar/waylay-proxy")),
                parse.GetValue(control) ?? (File.Exists(controlBeside) ? controlBeside : Path.Combine(root, ".build/control/waylay-control")),
                Directory.CreateDirectory(Path.Combine(root, ".build/image")).FullName,
                await ImageBuildOptions.SourceDateAsync(root, cancellationToken));
            try
            {
                if (parse.GetValue(bookinfo))
                {
                    var archive = parse.GetResult(output) is { Implicit: false } ? options.Output : Path.GetFullPath("bookinfo-images.tar");
                    var images = await BookinfoImage.BuildAsync(
                        options with { Output = archive, Packages = ["ca-certificates", "libstdc++6", "libssl3", "zlib1g"] },
                        Path.Combine(root, "samples/bookinfo/src"), TimeProvider.System, cancellationToken);
                    Console.WriteLine($"{string.Join(", ", BookinfoImage.References.Select(r => r.Reference))} (first: {images.Digest})");
                    Console.Error.WriteLine($"waylay: wrote {images.Archive} ({images.CompressedBytes / 1e6:0.0} MB compressed, {images.Packages} Debian packages) in {images.Elapsed.TotalSeconds:0.0} s; load it with: waylay image load {images.Archive}");
                    return CliHost.Ok;
                }

                var result = await ImageBuilder.BuildAsync(options, TimeProvider.System, cancellationToken);
                Console.WriteLine($"{result.Reference}@{result.Digest}");
                Console.Error.WriteLine($"waylay: wrote {result.Archive} ({result.CompressedBytes / 1e6:0.0} MB compressed, {result.Packages} Debian packages) in {result.Elapsed.TotalSeconds:0.0} s; load it with: podman load -i {result.Archive}, ctr images import {result.Archive} or kind load image-archive {result.Archive}");
                return CliHost.Ok;
            }
            catch (ImageBuildException e)
            {
                throw new FailureException(e.Message);
            }
        }));
        return new Command("image", "Build the image Waylay's injected containers run; load or pull images for waylay up --runtime oci.") { build, Load(), Pull(), List() };
    }

    /// <summary><c>waylay image load FILE</c>: an OCI archive into the image store (<c>WAYLAY_IMAGE_STORE</c>, else /var/lib/waylay/images).</summary>
    private static Command Load()
    {
        var file = new Argument<string>("file") { Description = "An OCI image archive (waylay image build writes one)" };
        var load = new Command("load", "Import an OCI archive into the local image store that waylay up --runtime oci runs images from.") { file };
        load.SetAction((parse, cancellationToken) => CliHost.GuardAsync(async () =>
        {
            var store = ImageStore.ForThisMachine();
            try
            {
                foreach (var image in await store.LoadAsync(Path.GetFullPath(parse.GetValue(file)!), cancellationToken))
                {
                    Console.WriteLine($"loaded {image.Display}");
                }

                return CliHost.Ok;
            }
            catch (ImageStoreException e)
            {
                throw new FailureException(e.Message);
            }
        }));
        return load;
    }

    /// <summary><c>waylay image pull REF [--insecure-registry HOST[:PORT]]</c>: an image from its registry into the
    /// image store, as <c>crictl pull</c> puts one in containerd's; prints its reference and digest.</summary>
    private static Command Pull()
    {
        var reference = new Argument<string>("reference") { Description = "[REGISTRY[:PORT]/]REPOSITORY[:TAG][@sha256:DIGEST]; Docker Hub's docker.io/library/ when no registry is named" };
        var insecure = InsecureRegistryOption();
        var pull = new Command("pull", "Pull an image from its registry into the local image store (skopeo; credentials from REGISTRY_AUTH_FILE, skopeo login or ~/.docker/config.json).") { reference, insecure };
        pull.SetAction((parse, cancellationToken) => CliHost.GuardAsync(async () =>
        {
            var store = ImageStore.ForThisMachine();
            var name = parse.GetValue(reference)!;
            var registries = new RegistryOptions { InsecureRegistries = parse.GetValue(insecure) ?? [] };
            try
            {
                var image = await store.PullAsync(name, registries, cancellationToken);
                Console.WriteLine($"pulled {image.Display}");
                return CliHost.Ok;
            }
            catch (ImagePullException e)
            {
                throw new FailureException($"image pull: {e.Message}; check the reference, and {registries.Fix(e.Image)}");
            }
            catch (ImageStoreException e)
            {
                throw new FailureException(e.Message);
            }
        }));
        return pull;
    }

    /// <summary><c>--insecure-registry HOST[:PORT]</c>: a registry reached without verified TLS (HTTPS unverified, then plain
    /// HTTP), as containerd's and Docker's setting of that name; loopback registries are so already.</summary>
    public static Option<string[]> InsecureRegistryOption() => new("--insecure-registry")
    {
        Description = "A registry that may answer over plain HTTP or unverified TLS (repeatable); registries on localhost, 127.0.0.1 or ::1 may already",
        HelpName = "host[:port]",
    };

    /// <summary><c>waylay image ls</c>: the store's images.</summary>
    private static Command List()
    {
        var list = new Command("ls", "List the images in the local image store.");
        list.SetAction((_, _) => CliHost.GuardAsync(() =>
        {
            var store = ImageStore.ForThisMachine();
            var images = store.List();
            Console.WriteLine($"{"IMAGE",-56} {"DIGEST",-12} {"SIZE",8}");
            foreach (var image in images)
            {
                Console.WriteLine($"{image.Reference,-56} {image.Digest.Replace("sha256:", "", StringComparison.Ordinal)[..12],-12} {image.Size / 1e6,6:0.0}MB");
            }

            if (images.Count == 0)
            {
                Console.Error.WriteLine($"waylay: no images in {store.Root}; load one with: waylay image load FILE, or pull one with: waylay image pull REF");
            }

            return Task.FromResult(CliHost.Ok);
        }));
        return list;
    }
}
