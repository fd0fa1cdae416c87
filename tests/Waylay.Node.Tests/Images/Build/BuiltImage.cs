using System.Security.Cryptography;
using Waylay.Linux;
using Waylay.Node.Images.Build;
using Waylay.TestKit;

namespace Waylay.Node.Tests.Images.Build;

/// <summary>
/// The image, built once per test class by the real <see cref="ImageBuilder"/> from the NativeAOT sidecar
/// (<c>WAYLAY_PROXY_BINARY</c>, else .build/sidecar/waylay-proxy) and control plane (<c>WAYLAY_CONTROL_BINARY</c>, else
/// .build/control/waylay-control) and cached under .build/image/cache keyed by its
/// inputs (the two binaries' bytes, the builder's sources, the source date), so a suite builds it at most once; the archive
/// is copied once into an OCI layout (<c>wl-&lt;run&gt;-image</c>) that each container is unpacked from.
/// </summary>
public sealed class BuiltImage : IAsyncLifetime
{
    /// <summary>A fixed source date: the cache key and the determinism test do not depend on the checked-out commit.</summary>
    public static readonly DateTimeOffset SourceDate = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

    public static string Root => Checkout.Root;

    public string ProxyBinary { get; } = Environment.GetEnvironmentVariable("WAYLAY_PROXY_BINARY") is { Length: > 0 } given
        ? given
        : Path.Combine(Root, ".build/sidecar/waylay-proxy");

    public string ControlBinary { get; } = Environment.GetEnvironmentVariable("WAYLAY_CONTROL_BINARY") is { Length: > 0 } given
        ? given
        : Path.Combine(Root, ".build/control/waylay-control");

    public string Reference => ImageBuildOptions.DefaultReference;

    public string Archive { get; private set; } = "";

    public string Digest { get; private set; } = "";

    /// <summary>The result when this fixture built the image itself (null when it came from the cache).</summary>
    internal ImageBuildResult? Built { get; private set; }

    public string Layout { get; } = Path.Combine(Path.GetTempPath(), RunId.Next("image"));

    internal ImageBuildOptions Options(string output, string work) => new(Reference, output, ProxyBinary, ControlBinary, work, SourceDate);

    public async Task InitializeAsync()
    {
        Assert.True(File.Exists(ProxyBinary), $"no NativeAOT sidecar at {ProxyBinary}: build it with `source scripts/build.sh; waylay_build_sidecar` (./test.sh does) or set WAYLAY_PROXY_BINARY");
        Assert.True(File.Exists(ControlBinary), $"no NativeAOT control plane at {ControlBinary}: build it with `source scripts/build.sh; waylay_build_control` (./test.sh does) or set WAYLAY_CONTROL_BINARY");
        var cache = Directory.CreateDirectory(Path.Combine(Root, ".build/image/cache")).FullName;
        var key = await CacheKeyAsync();
        Archive = Path.Combine(cache, key + ".tar");
        var digestFile = Archive + ".digest";
        if (File.Exists(Archive) && File.Exists(digestFile))
        {
            Digest = (await File.ReadAllTextAsync(digestFile)).Trim();
        }
        else
        {
            // One image is enough to keep: older ones were built from a sidecar or builder that has since changed.
            foreach (var stale in Directory.GetFiles(cache, "*.tar*"))
            {
                File.Delete(stale);
            }

            Built = await ImageBuilder.BuildAsync(Options(Archive, cache), TimeProvider.System, CancellationToken.None);
            Digest = Built.Digest;
            await File.WriteAllTextAsync(digestFile, Digest);
        }

        var copied = await Exec.RunAsync("skopeo", ["copy", "--quiet", $"oci-archive:{Archive}:{Reference}", $"oci:{Layout}:{Reference}"], null);
        if (!copied.Succeeded)
        {
            await DisposeAsync(); // a fixture that failed to start is not disposed by xunit: leave nothing behind
            Require(copied, "skopeo copy");
        }
    }

    /// <summary>Unpacks the image into a fresh runtime bundle (config.json + rootfs), as a runtime would.</summary>
    public async Task UnpackAsync(string bundle) =>
        Require(await Exec.RunAsync("umoci", ["unpack", "--image", $"{Layout}:{Reference}", bundle], null), "umoci unpack");

    public Task DisposeAsync()
    {
        if (Directory.Exists(Layout))
        {
            Directory.Delete(Layout, recursive: true);
        }

        return Task.CompletedTask;
    }

    private async Task<string> CacheKeyAsync()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(await File.ReadAllBytesAsync(ProxyBinary));
        hash.AppendData(await File.ReadAllBytesAsync(ControlBinary));
        foreach (var source in Directory.GetFiles(Path.Combine(Root, "src/Waylay.Node/Images/Build"), "*.cs").Order(StringComparer.Ordinal))
        {
            hash.AppendData(await File.ReadAllBytesAsync(source));
        }

        hash.AppendData(BitConverter.GetBytes(SourceDate.ToUnixTimeSeconds()));
        return Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
    }

    private static void Require(ExecResult result, string what) =>
        Assert.True(result.Succeeded, $"{what} failed (exit {result.ExitCode}): {result.Diagnostic}");
}
