using Waylay.Linux;
using Waylay.Node.Images.Build;
using Waylay.Node.Images.Store;
using Waylay.Node.Tests.Images.Build;
using Waylay.TestKit;

namespace Waylay.Node.Tests.Processes.Oci;

/// <summary>
/// A test image store (<see cref="TestImageStore"/>) with, beside the waylay image, an app image built by the image
/// build's tooling from Debian's busybox (<see cref="AppReference"/>: Entrypoint /bin/busybox, Cmd sh, Env GREETING,
/// WorkingDir /tmp), cached under .build/image/app-cache keyed by the builder's sources.
/// </summary>
public sealed class OciTestImages : TestImageStore
{
    public const string AppReference = "localhost/wl-test/busybox:1";

    protected override Task<string> AppArchiveAsync() => BusyboxArchiveAsync();

    /// <summary>The app image's archive alone (its name in it: <see cref="AppReference"/>), built or from the cache.</summary>
    public static async Task<string> BusyboxArchiveAsync()
    {
        var cache = Directory.CreateDirectory(Path.Combine(BuiltImage.Root, ".build/image/app-cache")).FullName;
        var key = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
            Directory.GetFiles(Path.Combine(BuiltImage.Root, "src/Waylay.Node/Images/Build"), "*.cs").Order(StringComparer.Ordinal)
                .SelectMany(File.ReadAllBytes).ToArray()))[..16];
        var archive = Path.Combine(cache, $"busybox-{key}.tar");
        if (File.Exists(archive))
        {
            return archive;
        }

        foreach (var stale in Directory.GetFiles(cache, "*.tar*"))
        {
            File.Delete(stale);
        }

        var work = Directory.CreateDirectory(Path.Combine(cache, RunId.Next("work"))).FullName;
        try
        {
            var options = new ImageBuildOptions(AppReference, archive + ".partial", "", "", work, BuiltImage.SourceDate) { Packages = ["busybox", "ca-certificates"] };
            var rootfs = Path.Combine(work, "rootfs");
            await DebianRootfs.CreateAsync(options, rootfs, CancellationToken.None);
            var layout = Path.Combine(work, "oci");
            await OciImage.AssembleAsync(options, rootfs, layout, CancellationToken.None);
            // The waylay image's config, then this image's own: busybox as the entrypoint, a shell by default.
            await ImageTools.RunAsync("umoci",
            [
                "config", "--image", $"{layout}:{AppReference}", "--clear=config.entrypoint", "--config.entrypoint", "/bin/busybox",
                "--config.cmd", "sh", "--config.env", "GREETING=from the image", "--config.workingdir", "/tmp",
                "--created", BuiltImage.SourceDate.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
                "--history.created", BuiltImage.SourceDate.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
            ], CancellationToken.None);
            await OciImage.ExportAsync(options, layout, Path.Combine(work, "export"), CancellationToken.None);
            File.Move(archive + ".partial", archive);
            return archive;
        }
        finally
        {
            File.Delete(archive + ".partial");
            Directory.Delete(work, recursive: true);
        }
    }
}
