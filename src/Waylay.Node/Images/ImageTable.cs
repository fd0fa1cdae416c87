using System.Text.RegularExpressions;

namespace Waylay.Node.Images;

/// <summary>
/// Images → local programs. A pod names images; this machine has no image store, so each image maps to a program
/// here: the <c>--images</c> file's entries first (in file order, patterns with <c>*</c>), then the built-ins:
/// <code>
///  docker.io/waylay/waylay:*, waylay/waylay:*, waylay/proxy*   → the waylay CLI beside this one; the NativeAOT builds
///                                                               when installed beside it, as in the image: args
///                                                               "proxy …"/"capture …" run waylay-proxy (what the CLI's
///                                                               SidecarHandOff would exec, without its JIT start),
///                                                               "control …"/"webhook …" waylay-control
///  …/examples-bookinfo-&lt;role&gt;-v&lt;N&gt;:*                      → bookinfo &lt;role&gt; --version vN (the sample app)
/// </code>
/// An image with no entry is an error naming it and the <c>--images</c> entry that would run it.
/// </summary>
internal sealed partial class ImageTable : IImageSource
{
    public const string SidecarBinary = "waylay-proxy";
    public const string ControlBinary = "waylay-control";

    private readonly IReadOnlyList<(string Pattern, ImageEntry Entry)> _overlay;
    private readonly string _programDirectory;

    public ImageTable(string programDirectory, IReadOnlyList<(string Pattern, ImageEntry Entry)>? overlay = null)
    {
        _programDirectory = programDirectory;
        _overlay = overlay ?? [];
    }

    /// <summary>The table of the running CLI: its own directory holds waylay, waylay-proxy and bookinfo.</summary>
    public static ImageTable ForThisProgram(IReadOnlyList<(string Pattern, ImageEntry Entry)>? overlay = null) =>
        new(AppContext.BaseDirectory, overlay);

    /// <summary>What <paramref name="image"/> runs with the container's <c>command</c> and <c>args</c>.</summary>
    public ResolvedImage Resolve(string image, IReadOnlyList<string>? command, IReadOnlyList<string>? args)
    {
        foreach (var (pattern, entry) in _overlay)
        {
            if (Matches(pattern, image))
            {
                return new ResolvedImage(image, entry.Argv(command, args), entry.Environment, entry.WorkingDirectory);
            }
        }

        if (BuiltIn(image, command, args) is { } builtIn)
        {
            return builtIn;
        }

        throw new ImageTableException(
            $"image '{image}' has no entry in the image table (this machine runs images as local programs). " +
            $"Add one in a file passed with --images FILE, e.g.\n  \"{image}\":\n    command: [/path/to/program]\n    args: []\n    env: {{}}\n    workingDir: /");
    }

    /// <summary>Glob match: <c>*</c> is any run of characters, everything else literal.</summary>
    public static bool Matches(string pattern, string image) =>
        Regex.IsMatch(image, "^" + string.Join(".*", pattern.Split('*').Select(Regex.Escape)) + "$", RegexOptions.CultureInvariant);

    private ResolvedImage? BuiltIn(string image, IReadOnlyList<string>? command, IReadOnlyList<string>? args)
    {
        var empty = new Dictionary<string, string>();
        if (IsWaylay(image))
        {
            var cli = Program("waylay");
            var entry = new ImageEntry([cli]);
            var argv = entry.Argv(command, args);
            // The same arguments, the build that starts in milliseconds: under the process runtime the JIT CLI's
            // start (seconds on a busy machine) delayed every pod's init container and the control plane that every
            // sidecar waits for (docs/benchmarks.md, "the process runtime's start").
            var aot = argv is [var first, var verb, ..] && first == cli ? verb switch
            {
                "proxy" or "capture" => Path.Combine(_programDirectory, SidecarBinary),
                "control" or "webhook" => Path.Combine(_programDirectory, ControlBinary),
                _ => null,
            } : null;
            if (aot is not null && File.Exists(aot))
            {
                argv = [aot, .. argv.Skip(1)];
            }

            return new ResolvedImage(image, argv, empty, null);
        }

        if (BookinfoImage().Match(image) is { Success: true } bookinfo)
        {
            var entry = new ImageEntry([Program("bookinfo")]) { Args = [bookinfo.Groups["role"].Value, "--version", "v" + bookinfo.Groups["version"].Value] };
            return new ResolvedImage(image, entry.Argv(command, args), empty, null);
        }

        return null;
    }

    private static bool IsWaylay(string image) =>
        Matches("docker.io/waylay/waylay:*", image) || Matches("waylay/waylay:*", image) || Matches("waylay/waylay", image)
        || Matches("waylay/proxy*", image) || Matches("docker.io/waylay/proxy*", image);

    private string Program(string name)
    {
        var path = Path.Combine(_programDirectory, name);
        return File.Exists(path)
            ? path
            : throw new ImageTableException($"{path} does not exist: the built-in image entries run the programs installed beside waylay; build them (./waylay builds the CLI, dotnet build samples/bookinfo/src for bookinfo) or map the image with --images FILE");
    }

    [GeneratedRegex(@"^(?:.*/)?examples-bookinfo-(?<role>details|ratings|reviews|productpage)-v(?<version>\d+)(?::[^/]*)?$", RegexOptions.CultureInvariant)]
    private static partial Regex BookinfoImage();
}

/// <summary>An image resolved to a program: the argv, the image's environment and working directory; from the image
/// store, the stored image too (its root filesystem and its User).</summary>
internal sealed record ResolvedImage(string Image, IReadOnlyList<string> Argv, IReadOnlyDictionary<string, string> Environment, string? WorkingDirectory)
{
    public Store.StoredImage? Stored { get; init; }
}
