using System.Security.Cryptography;
using Waylay.Node.Images.Build;
using Waylay.Node.Images.Store;
using Waylay.Node.Tests.Images.Build;
using Waylay.TestKit;

namespace Waylay.Node.Tests.Processes.Oci;

/// <summary>
/// A store of the test's own (<c>/tmp/wl-&lt;run&gt;-store</c>, removed on dispose) holding the waylay image and
/// Bookinfo's six images from the real <see cref="BookinfoImage"/> builder, cached under .build/image/bookinfo-cache
/// keyed by the builder's and Bookinfo's sources.
/// </summary>
public sealed class BookinfoImages : IAsyncLifetime
{
    private readonly BuiltImage _waylay = new();

    public string Store { get; } = Path.Combine(Path.GetTempPath(), RunId.Next("store"));

    public async Task InitializeAsync()
    {
        try
        {
            await _waylay.InitializeAsync();
            var store = new ImageStore(Store);
            await store.LoadAsync(_waylay.Archive, CancellationToken.None);
            await store.LoadAsync(await ArchiveAsync(), CancellationToken.None);
        }
        catch
        {
            await DisposeAsync(); // a fixture that failed to start is not disposed by xunit
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        await _waylay.DisposeAsync();
        if (Directory.Exists(Store))
        {
            Directory.Delete(Store, recursive: true);
        }
    }

    private static async Task<string> ArchiveAsync()
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

        var options = new ImageBuildOptions(BookinfoImage.References[0].Reference, archive, "", cache, BuiltImage.SourceDate)
        {
            Packages = ["ca-certificates", "libstdc++6", "libssl3", "zlib1g"],
        };
        await BookinfoImage.BuildAsync(options, project, TimeProvider.System, CancellationToken.None);
        return archive;
    }
}
