namespace Waylay.TestKit;

/// <summary>
/// The image's layout, `waylay` (the JIT CLI: apphost, assemblies, runtimeconfig) and `waylay-proxy` (the NativeAOT
/// build, <c>WAYLAY_PROXY_BINARY</c>) in one directory, where the CLI hands `proxy` and `capture` over to the AOT
/// build. Made once per test run under /tmp/wl-&lt;run&gt;-…, removed when the test process exits.
/// </summary>
public static class ImageLayout
{
    private static readonly Lazy<string> Directory = new(Create);

    /// <summary>The directory; needs <c>WAYLAY_PROXY_BINARY</c> (use [NativeSidecarFact]).</summary>
    public static string Path => Directory.Value;

    private static string Create()
    {
        var aot = TestProxy.NativeSidecarPath ?? throw new InvalidOperationException("WAYLAY_PROXY_BINARY is not set; use [NativeSidecarFact]");
        var directory = $"/tmp/wl-{RunId.Value}-image-layout";
        System.IO.Directory.CreateDirectory(directory);
        foreach (var file in System.IO.Directory.EnumerateFiles(AppContext.BaseDirectory))
        {
            var name = System.IO.Path.GetFileName(file);
            if (name == "waylay" || name.EndsWith(".dll", StringComparison.Ordinal) || name.StartsWith("waylay.", StringComparison.Ordinal))
            {
                File.Copy(file, System.IO.Path.Combine(directory, name), overwrite: true);
            }
        }

        File.Copy(aot, System.IO.Path.Combine(directory, "waylay-proxy"), overwrite: true);
        foreach (var file in System.IO.Directory.EnumerateFiles(directory))
        {
            File.SetUnixFileMode(file, (UnixFileMode)0b111_101_101);
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) => System.IO.Directory.Delete(directory, recursive: true);
        return directory;
    }
}
