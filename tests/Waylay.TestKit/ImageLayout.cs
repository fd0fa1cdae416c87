namespace Waylay.TestKit;

/// <summary>
/// The image's layout, `waylay` (the JIT CLI: apphost, assemblies, runtimeconfig) and `waylay-proxy` (the NativeAOT
/// build, <c>WAYLAY_PROXY_BINARY</c>) in one directory, where the CLI hands `proxy` and `capture` over to the AOT
/// build; with <c>control: true</c> `waylay-control` too (<c>WAYLAY_CONTROL_BINARY</c>), as `./waylay up` lays it out. Each test makes its own, <c>/tmp/wl-&lt;run&gt;-image&lt;n&gt;</c>, and removes it when disposed, also when
/// the test failed: a per-process copy removed at process exit stayed behind whenever the test host was ended
/// without running exit handlers.
/// <code>
///   using var layout = ImageLayout.Create();   // [NativeSidecarFact] only
///   await Exec.RunAsync(layout.Waylay, ["proxy", "--help"]);
/// </code>
/// </summary>
public sealed class ImageLayout : IDisposable
{
    private ImageLayout(string directory) => Directory = directory;

    public string Directory { get; }

    /// <summary>The CLI's apphost in the layout.</summary>
    public string Waylay => System.IO.Path.Combine(Directory, "waylay");

    /// <summary>The NativeAOT control plane test.sh publishes (<c>WAYLAY_CONTROL_BINARY</c>), or null.</summary>
    public static string? NativeControlPath => Environment.GetEnvironmentVariable("WAYLAY_CONTROL_BINARY") is { Length: > 0 } path ? path : null;

    /// <summary>A new layout; needs <c>WAYLAY_PROXY_BINARY</c> (use [NativeSidecarFact]), and <c>WAYLAY_CONTROL_BINARY</c>
    /// with <paramref name="control"/> ([NativeBuildsFact]).</summary>
    public static ImageLayout Create(bool control = false)
    {
        var aot = TestProxy.NativeSidecarPath ?? throw new InvalidOperationException("WAYLAY_PROXY_BINARY is not set; use [NativeSidecarFact]");
        var controlAot = !control ? null : NativeControlPath ?? throw new InvalidOperationException("WAYLAY_CONTROL_BINARY is not set; use [NativeBuildsFact]");
        var layout = new ImageLayout(System.IO.Path.Combine(System.IO.Path.GetTempPath(), RunId.Next("image")));
        System.IO.Directory.CreateDirectory(layout.Directory);
        try
        {
            foreach (var file in System.IO.Directory.EnumerateFiles(AppContext.BaseDirectory))
            {
                var name = System.IO.Path.GetFileName(file);
                if (name == "waylay" || name.EndsWith(".dll", StringComparison.Ordinal) || name.StartsWith("waylay.", StringComparison.Ordinal))
                {
                    File.Copy(file, System.IO.Path.Combine(layout.Directory, name));
                }
            }

            File.Copy(aot, System.IO.Path.Combine(layout.Directory, "waylay-proxy"));
            if (controlAot is not null)
            {
                File.Copy(controlAot, System.IO.Path.Combine(layout.Directory, "waylay-control"));
            }

            foreach (var file in System.IO.Directory.EnumerateFiles(layout.Directory))
            {
                File.SetUnixFileMode(file, (UnixFileMode)0b111_101_101);
            }

            // The sidecar runs as uid 1337 in the hand-off test: it must be able to enter the directory.
            File.SetUnixFileMode(layout.Directory, (UnixFileMode)0b111_101_101);
            return layout;
        }
        catch
        {
            layout.Dispose(); // a half-made copy is removed too
            throw;
        }
    }

    public void Dispose()
    {
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }
}
