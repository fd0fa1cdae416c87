using Waylay.Node.Images.Build;

namespace Waylay.Node.Tests.Images.Build;

/// <summary>Bad input stops the build before anything is made, with the problem and the fix named.</summary>
public sealed class ImageBuilderInputTests
{
    [Fact]
    public async Task MissingSidecar_IsRefusedNamingHowToBuildIt()
    {
        var work = Directory.CreateTempSubdirectory("wl-image-input-");
        try
        {
            var options = new ImageBuildOptions("waylay:test", Path.Combine(work.FullName, "out.tar"), Path.Combine(work.FullName, "no-such-proxy"), Path.Combine(work.FullName, "no-such-control"), work.FullName, DateTimeOffset.UnixEpoch);

            var error = await Assert.ThrowsAsync<ImageBuildException>(() => ImageBuilder.BuildAsync(options, TimeProvider.System, CancellationToken.None));

            Assert.Contains("no sidecar binary at", error.Message);
            Assert.Contains("waylay_build_sidecar", error.Message);
            Assert.Empty(work.GetFileSystemInfos());
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task MissingControlPlane_IsRefusedNamingHowToBuildIt()
    {
        var work = Directory.CreateTempSubdirectory("wl-image-input-");
        try
        {
            var proxy = Path.Combine(work.FullName, "waylay-proxy");
            await File.WriteAllTextAsync(proxy, "");
            var options = new ImageBuildOptions("waylay:test", Path.Combine(work.FullName, "out.tar"), proxy, Path.Combine(work.FullName, "no-such-control"), work.FullName, DateTimeOffset.UnixEpoch);

            var error = await Assert.ThrowsAsync<ImageBuildException>(() => ImageBuilder.BuildAsync(options, TimeProvider.System, CancellationToken.None));

            Assert.Contains("no control plane binary at", error.Message);
            Assert.Contains("waylay_build_control", error.Message);
            Assert.Single(work.GetFileSystemInfos()); // only the proxy file: nothing made
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task OutputInAMissingDirectory_IsRefusedNamingTheDirectory()
    {
        var work = Directory.CreateTempSubdirectory("wl-image-input-");
        try
        {
            var proxy = Path.Combine(work.FullName, "waylay-proxy");
            await File.WriteAllTextAsync(proxy, "");
            var options = new ImageBuildOptions("waylay:test", Path.Combine(work.FullName, "missing", "out.tar"), proxy, proxy, work.FullName, DateTimeOffset.UnixEpoch);

            var error = await Assert.ThrowsAsync<ImageBuildException>(() => ImageBuilder.BuildAsync(options, TimeProvider.System, CancellationToken.None));

            Assert.Contains("--out", error.Message);
            Assert.Contains("does not exist", error.Message);
            Assert.Single(work.GetFileSystemInfos()); // only the proxy file: no work directory left behind
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }
}
