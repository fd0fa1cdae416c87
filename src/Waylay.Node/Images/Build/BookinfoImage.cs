using System.Globalization;

namespace Waylay.Node.Images.Build;

/// <summary>
/// <c>waylay image build --bookinfo</c>: Waylay's Bookinfo (samples/bookinfo/src, one app for every role) as the six
/// images Istio's manifests name, for <c>waylay up samples/bookinfo --runtime oci</c>. One layer, six references:
/// <code>
/// :: Step 1  dotnet publish, self-contained for linux-x64 (the image carries its .NET runtime; invariant globalization,
///            so no ICU), outside the tree: /opt/bookinfo
/// :: Step 2  Debian's packages the runtime loads (libstdc++, libssl, zlib, the CA bundle) as the waylay image gets its
///            own (DebianRootfs.cs), the app copied in, assembled by umoci (OciImage.cs)
/// :: Step 3  per reference (<see cref="References"/>) a config of its own over the same layer: Entrypoint
///            /opt/bookinfo/bookinfo, Cmd [role, --version, vN], User 1000; all six written to one OCI archive
/// </code>
/// </summary>
internal static class BookinfoImage
{
    public const string Tag = "1.20.3";

    /// <summary>(reference, role, version) as samples/bookinfo/platform/kube/bookinfo.yaml names them.</summary>
    public static IReadOnlyList<(string Reference, string Role, string Version)> References { get; } =
    [
        .. new[] { ("details", "v1"), ("ratings", "v1"), ("reviews", "v1"), ("reviews", "v2"), ("reviews", "v3"), ("productpage", "v1") }
            .Select(r => ($"docker.io/istio/examples-bookinfo-{r.Item1}-{r.Item2}:{Tag}", r.Item1, r.Item2)),
    ];

    public static async Task<ImageBuildResult> BuildAsync(ImageBuildOptions options, string project, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!File.Exists(Path.Combine(project, "Bookinfo.csproj")))
        {
            throw new ImageBuildException($"image build --bookinfo: no Bookinfo.csproj in {project}; run it from the repository (WAYLAY_ROOT)");
        }

        var started = time.GetTimestamp();
        var work = Path.Combine(options.WorkDirectory, $"bookinfo-{Environment.ProcessId}-{Guid.NewGuid():N}"[..28]);
        Directory.CreateDirectory(work);
        var partial = options.Output + ".partial";
        try
        {
            // :: Step 1
            var app = Path.Combine(work, "app");
            await ImageTools.RunAsync("dotnet", ["publish", project, "-c", "Release", "-r", "linux-x64", "--self-contained",
                "-p:InvariantGlobalization=true", "--nologo", "-v", "q", "-o", app], cancellationToken);

            // :: Step 2
            var rootfs = Path.Combine(work, "rootfs");
            var packages = await DebianRootfs.CreateAsync(options, rootfs, cancellationToken);
            CopyTree(app, Path.Combine(rootfs, "opt/bookinfo"));
            var layout = Path.Combine(work, "oci");
            const string baseReference = "bookinfo-base"; // a tag of the work layout only
            await OciImage.AssembleAsync(options with { Reference = baseReference }, rootfs, layout, cancellationToken, "Waylay's Bookinfo (self-contained)");

            // :: Step 3
            var created = options.SourceDate.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
            var export = Path.Combine(work, "export");
            foreach (var (reference, role, version) in References)
            {
                var tag = "bookinfo-" + role + "-" + version;
                await ImageTools.RunAsync("umoci",
                [
                    "config", "--image", $"{layout}:{baseReference}", "--tag", tag, "--created", created, "--history.created", created,
                    "--history.created_by", $"waylay image build --bookinfo ({role} {version})",
                    "--clear=config.entrypoint", "--config.entrypoint", "/opt/bookinfo/bookinfo",
                    "--clear=config.cmd", "--config.cmd", role, "--config.cmd", "--version", "--config.cmd", version,
                    "--config.user", "1000", "--config.workingdir", "/opt/bookinfo", "--config.env", "HOME=/tmp",
                ], cancellationToken);
                await ImageTools.RunAsync("skopeo", ["copy", "--quiet", $"oci:{layout}:{tag}", $"oci:{export}:{reference}"], cancellationToken);
            }

            File.Delete(partial);
            await OciArchive.WriteAsync(export, partial, options.SourceDate, cancellationToken);
            File.Move(partial, options.Output, overwrite: true);
            var digest = await OciImage.ManifestDigestAsync(export, cancellationToken);
            return new ImageBuildResult(References[0].Reference, digest, options.Output, new FileInfo(options.Output).Length, packages, time.GetElapsedTime(started));
        }
        finally
        {
            File.Delete(partial);
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>The published app, its modes kept (the apphost is executable).</summary>
    private static void CopyTree(string source, string target)
    {
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            var destination = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
            File.SetUnixFileMode(destination, File.GetUnixFileMode(file));
        }
    }
}
