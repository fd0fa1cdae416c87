using Waylay.Linux;
using Waylay.Node.Images.Store;
using Waylay.TestKit;

namespace Waylay.Node.Tests.Images.Store;

/// <summary>
/// <c>waylay image pull</c> through the real CLI against a real registry on 127.0.0.1 (<see cref="TestRegistry"/>):
/// the image lands in the store under its reference with the registry's digest; a registry that does not have it or
/// does not answer is named with its answer, and the store is left as it was.
/// </summary>
[Collection(Waylay.Node.Tests.Images.Build.ImageBuilds.Name)]
public sealed class ImagePullTests(TestRegistry registry) : IClassFixture<TestRegistry>
{
    [RegistryFact]
    public async Task Pull_PutsTheRegistrysImageInTheStore_PrintingItsDigest_AndByDigestToo()
    {
        using var store = new TempStore();

        var pulled = await PullAsync(store, registry.Busybox);

        Assert.True(pulled.Succeeded, pulled.Diagnostic);
        Assert.Equal($"pulled {registry.Busybox}@{registry.BusyboxDigest}", pulled.StandardOutput.Trim());
        var image = Assert.Single(store.Images.List());
        Assert.Equal((registry.Busybox, registry.BusyboxDigest), (image.Reference, image.Digest));
        Assert.True(File.Exists(Path.Combine(image.Rootfs, "bin/busybox")), "the image's layers are unpacked in the store");
        Assert.Equal(["/bin/busybox"], image.Config.Entrypoint);
        Assert.False(Directory.Exists(Path.Combine(store.Path, "pulls")), "the pull's own layout is removed");

        // Pinned by digest: stored under that reference, the same content.
        var pinned = $"{registry.Host}/wl-test/busybox@{registry.BusyboxDigest}";
        var byDigest = await PullAsync(store, pinned);
        Assert.True(byDigest.Succeeded, byDigest.Diagnostic);
        Assert.Equal($"pulled {pinned}", byDigest.StandardOutput.Trim());
        Assert.Equal(image.Rootfs, store.Images.Find(pinned)?.Rootfs);
    }

    [RegistryFact]
    public async Task Pull_OfAnImageTheRegistryLacks_NamesItsAnswer_AndStoresNothing()
    {
        using var store = new TempStore();

        var pulled = await PullAsync(store, $"{registry.Host}/wl-test/absent:1");

        WaylayCli.AssertRefused(pulled, 1, $"image pull: pulling image \"{registry.Host}/wl-test/absent:1\" from {registry.Host} failed:");
        Assert.Contains("manifest unknown", pulled.StandardError, StringComparison.Ordinal);
        Assert.Empty(store.Images.List());
        Assert.False(Directory.Exists(Path.Combine(store.Path, "pulls")));
    }

    [RegistryFact]
    public async Task Pull_FromARegistryThatDoesNotAnswer_SaysSo_AndStoresNothing()
    {
        using var store = new TempStore();
        var nowhere = $"127.0.0.1:{TestRegistry.FreePort()}";

        var pulled = await PullAsync(store, $"{nowhere}/wl-test/busybox:1");

        WaylayCli.AssertRefused(pulled, 1, $"from {nowhere} failed:");
        Assert.Contains("connection refused", pulled.StandardError, StringComparison.Ordinal);
        Assert.Contains($"start the registry at {nowhere}", pulled.StandardError, StringComparison.Ordinal);
        Assert.Empty(store.Images.List());
    }

    [RegistryFact]
    public async Task Pull_OfANameThatIsNoReference_IsRefusedWithItsForm()
    {
        using var store = new TempStore();

        var pulled = await PullAsync(store, "Wl-Test/Upper");

        WaylayCli.AssertRefused(pulled, 1, "image 'Wl-Test/Upper': not an image reference; write it as [REGISTRY[:PORT]/]REPOSITORY[:TAG][@sha256:DIGEST]");
        Assert.False(Directory.Exists(store.Path));
    }

    /// <summary>The real CLI, its store given by WAYLAY_IMAGE_STORE as a user would.</summary>
    private static Task<ExecResult> PullAsync(TempStore store, string reference) =>
        Exec.RunAsync("env", [$"WAYLAY_IMAGE_STORE={store.Path}", WaylayCli.Path, "image", "pull", reference]);

    /// <summary>An empty store of the test's own, removed with what it holds.</summary>
    internal sealed class TempStore : IDisposable
    {
        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), RunId.Next("store"));

        public ImageStore Images => new(Path);

        public void Dispose()
        {
            if (Directory.Exists(Path))
            {
                Directory.Delete(Path, recursive: true);
            }
        }
    }
}
