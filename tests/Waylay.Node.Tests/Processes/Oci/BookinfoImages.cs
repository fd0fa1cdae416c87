using System.Security.Cryptography;
using Waylay.Node.Images.Build;
using Waylay.Node.Images.Store;
using Waylay.Node.Tests.Images.Build;
using Waylay.TestKit;

namespace Waylay.Node.Tests.Processes.Oci;

/// <summary>
/// A test image store (<see cref="TestImageStore"/>) with, beside the waylay image, Bookinfo's six images from the
/// real <see cref="BookinfoImage"/> builder, cached under .build/image/bookinfo-cache keyed by the builder's and
/// Bookinfo's sources.
/// </summary>
public sealed class BookinfoImages : TestImageStore
{
    protected override async Task<string> AppArchiveAsync()
    {
        var project = Path.Combine(BuiltImage.Root, "samples/bookinfo/src");
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var source in Directory.GetFiles(Path.Combine(BuiltImage.Root, "src/Waylay.Node/Images/Build"), "*.cs")
                     .Concat(Directory.GetFiles(project, "*.cs*", SearchOption.AllDirectories).Where(f => !f.Contains("/bin/", StringComparison.Ordinal) && !f.Contains("/obj/", StringComparison.Ordinal)))
                     .Order(StringComparer.Ordinal))
        {
            hash.AppendData(await File.ReadAllBytesAsync(source));
        }

        var cache = Directory.CreateDirectory(Path.Combine(BuiltImage.Root, ".build/image/bookinfo-cache")).FullName;
        var archive = Path.Combine(cache, Convert.ToHexStringLower(hash.GetHashAndReset())[..16] + ".tar");
        if (File.Exists(archive))
        {
            return archive;
        }

        foreach (var stale in Directory.GetFiles(cache, "*.tar*"))
        {
            File.Delete(stale);
        }

        var options = new ImageBuildOptions(BookinfoImage.References[0].Reference, archive, "", "", cache, BuiltImage.SourceDate)
        {
            Packages = ["ca-certificates", "libstdc++6", "libssl3", "zlib1g"],
        };
        await BookinfoImage.BuildAsync(options, project, TimeProvider.System, CancellationToken.None);
        return archive;
    }
}
