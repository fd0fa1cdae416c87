using Waylay.Node.Images.Build;
using Waylay.TestKit;

namespace Waylay.Node.Tests.Images.Build;

/// <summary>The trimmed tree's library check (DebianTrim.cs Step 3), run by the tree's own loader in a chroot.</summary>
public sealed class DebianTrimTests
{
    /// <summary>A tree with a loader and libc but not the libraries <c>ip</c> links: the build stops naming both.</summary>
    [NetnsFact] // chroot: root, as the image build is
    public async Task VerifyLibraries_AProgramMissingALibrary_FailsNamingTheProgramAndTheLibrary()
    {
        var tree = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), RunId.Next("tree"))).FullName;
        try
        {
            Copy("/lib64/ld-linux-x86-64.so.2", tree, "lib64/ld-linux-x86-64.so.2");
            Copy("/lib/x86_64-linux-gnu/libc.so.6", tree, "lib/x86_64-linux-gnu/libc.so.6");
            Copy("/bin/ip", tree, "bin/ip");

            var error = await Assert.ThrowsAsync<ImageBuildException>(() => DebianTrim.VerifyLibrariesAsync(tree, CancellationToken.None));

            Assert.Contains("/bin/ip: error while loading shared libraries: libbpf.so.1", error.Message);
            Assert.Contains("keep the package that ships it", error.Message);
            Assert.DoesNotContain("libc.so.6:", error.Message); // libc itself needs nothing but the loader

            File.Delete(Path.Combine(tree, "bin/ip")); // without the program, what is left is whole
            await DebianTrim.VerifyLibrariesAsync(tree, CancellationToken.None);
        }
        finally
        {
            Directory.Delete(tree, recursive: true);
        }
    }

    private static void Copy(string source, string tree, string path)
    {
        var target = Path.Combine(tree, path);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Copy(File.ResolveLinkTarget(source, returnFinalTarget: true)?.FullName ?? source, target, overwrite: true);
    }
}
