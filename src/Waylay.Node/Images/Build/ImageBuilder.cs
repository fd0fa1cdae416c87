namespace Waylay.Node.Images.Build;

/// <summary>
/// <c>waylay image build</c>: one OCI image that runs both injected containers, from Debian's packages and the
/// NativeAOT sidecar, with no registry and no .NET runtime in it.
/// <code>
/// :: Step 1  the root filesystem from Debian's packages (DebianRootfs.cs)
/// :: Step 2  the sidecar installed as /usr/local/bin/waylay-proxy, `waylay` linked to it (the injected args name
///            `capture` and `proxy`, which waylay-proxy takes as the CLI does), and waylay-control beside it, which
///            waylay-proxy execs for the install manifests' `control …` and `webhook …`
/// :: Step 3  assembled and exported (OciImage.cs); the work directory is removed whatever happened
/// </code>
/// </summary>
internal static class ImageBuilder
{
    public static async Task<ImageBuildResult> BuildAsync(ImageBuildOptions options, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!File.Exists(options.ProxyBinary))
        {
            throw new ImageBuildException($"image build: no sidecar binary at {options.ProxyBinary}; build it with: source scripts/build.sh; waylay_build_sidecar (./waylay image build does), or pass --proxy-binary");
        }

        if (!File.Exists(options.ControlBinary))
        {
            throw new ImageBuildException($"image build: no control plane binary at {options.ControlBinary}; build it with: source scripts/build.sh; waylay_build_control (./waylay image build does), or pass --control-binary");
        }

        if (Path.GetDirectoryName(Path.GetFullPath(options.Output)) is { } directory && !Directory.Exists(directory))
        {
            throw new ImageBuildException($"image build: --out {options.Output}: the directory {directory} does not exist; create it or choose another path");
        }

        var started = time.GetTimestamp();
        var work = Path.Combine(options.WorkDirectory, $"work-{Environment.ProcessId}-{Guid.NewGuid():N}"[..24]);
        Directory.CreateDirectory(work);
        var partial = options.Output + ".partial";
        try
        {
            // :: Step 1
            var rootfs = Path.Combine(work, "rootfs");
            var packages = await DebianRootfs.CreateAsync(options, rootfs, cancellationToken);

            // :: Step 2
            var bin = Path.Combine(rootfs, OciImage.BinDirectory.TrimStart('/'));
            Directory.CreateDirectory(bin);
            File.Copy(options.ProxyBinary, Path.Combine(bin, "waylay-proxy"));
            File.SetUnixFileMode(Path.Combine(bin, "waylay-proxy"), (UnixFileMode)0b111_101_101);
            File.CreateSymbolicLink(Path.Combine(bin, "waylay"), "waylay-proxy");
            File.Copy(options.ControlBinary, Path.Combine(bin, "waylay-control"));
            File.SetUnixFileMode(Path.Combine(bin, "waylay-control"), (UnixFileMode)0b111_101_101);

            // :: Step 3 — written beside the target and renamed, so a failed build leaves no half archive.
            var layout = Path.Combine(work, "oci");
            var digest = await OciImage.AssembleAsync(options, rootfs, layout, cancellationToken);
            File.Delete(partial);
            await OciImage.ExportAsync(options with { Output = partial }, layout, Path.Combine(work, "export"), cancellationToken);
            File.Move(partial, options.Output, overwrite: true);
            return new ImageBuildResult(options.Reference, digest, options.Output, new FileInfo(options.Output).Length, packages, time.GetElapsedTime(started));
        }
        finally
        {
            File.Delete(partial);
            Directory.Delete(work, recursive: true);
        }
    }
}
