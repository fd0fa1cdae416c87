using Waylay.Linux;

namespace Waylay.Node.Images.Build;

/// <summary>
/// Runs the Debian tools the build is made of (mmdebstrap, dpkg-deb, umoci, skopeo, touch) without a shell and
/// turns a failure into an <see cref="ImageBuildException"/> that names the tool, its words and the fix.
/// </summary>
internal static class ImageTools
{
    /// <summary>The tool → Debian package pairs, for the "install it" hint.</summary>
    private static readonly Dictionary<string, string> Packages = new(StringComparer.Ordinal)
    {
        ["mmdebstrap"] = "mmdebstrap", ["umoci"] = "umoci", ["skopeo"] = "skopeo", ["dpkg-deb"] = "dpkg", ["touch"] = "coreutils",
    };

    public static async Task<string> RunAsync(string tool, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var result = await Exec.RunAsync(tool, arguments, null, cancellationToken);
        if (result.ExitCode == 127 && Packages.TryGetValue(tool, out var package))
        {
            throw new ImageBuildException($"image build: {tool} is not installed; install it with: apt-get install {package} (scripts/ensure-deps.sh does when ./waylay runs it)");
        }

        if (!result.Succeeded)
        {
            throw new ImageBuildException($"image build: {tool} {string.Join(' ', arguments)} failed (exit {result.ExitCode}): {result.Diagnostic}");
        }

        return result.StandardOutput;
    }
}
