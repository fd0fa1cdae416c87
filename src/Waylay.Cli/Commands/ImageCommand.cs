using System.CommandLine;
using Waylay.Commands;
using Waylay.Node.Images.Build;

namespace Waylay.Cli.Commands;

/// <summary><c>waylay image build [--tag T] [--out FILE]</c>: the OCI image archive both injected containers run from.</summary>
internal static class ImageCommand
{
    public static Command Create()
    {
        var tag = new Option<string>("--tag") { Description = "The image reference written into the archive (default: the injector's image)", DefaultValueFactory = _ => ImageBuildOptions.DefaultReference };
        var output = new Option<string>("--out") { Description = "The OCI archive to write (default: waylay-image.tar)", DefaultValueFactory = _ => "waylay-image.tar" };
        var proxy = new Option<string?>("--proxy-binary") { Description = "The NativeAOT sidecar to ship (default: waylay-proxy beside this CLI, else .build/sidecar/waylay-proxy)" };
        var control = new Option<string?>("--control-binary") { Description = "The NativeAOT control plane and webhook to ship (default: waylay-control beside this CLI, else .build/control/waylay-control)" };
        var build = new Command("build", "Build the Waylay image (Debian packages + the NativeAOT sidecar, control plane and webhook) as an OCI archive; prints its digest.") { tag, output, proxy, control };
        build.SetAction((parse, cancellationToken) => CliHost.GuardAsync(async () =>
        {
            var root = Environment.GetEnvironmentVariable("WAYLAY_ROOT") is { Length: > 0 } r ? r : Directory.GetCurrentDirectory();
            var beside = Path.Combine(AppContext.BaseDirectory, "waylay-proxy");
            var controlBeside = Path.Combine(AppContext.BaseDirectory, "waylay-control");
            var options = new ImageBuildOptions(
                parse.GetValue(tag)!,
                Path.GetFullPath(parse.GetValue(output)!),
                parse.GetValue(proxy) ?? (File.Exists(beside) ? beside : Path.Combine(root, ".build/sidecar/waylay-proxy")),
                parse.GetValue(control) ?? (File.Exists(controlBeside) ? controlBeside : Path.Combine(root, ".build/control/waylay-control")),
                Directory.CreateDirectory(Path.Combine(root, ".build/image")).FullName,
                await ImageBuildOptions.SourceDateAsync(root, cancellationToken));
            try
            {
                var result = await ImageBuilder.BuildAsync(options, TimeProvider.System, cancellationToken);
                Console.WriteLine($"{result.Reference}@{result.Digest}");
                Console.Error.WriteLine($"waylay: wrote {result.Archive} ({result.CompressedBytes / 1e6:0.0} MB compressed, {result.Packages} Debian packages) in {result.Elapsed.TotalSeconds:0.0} s; load it with: podman load -i {result.Archive}, ctr images import {result.Archive} or kind load image-archive {result.Archive}");
                return CliHost.Ok;
            }
            catch (ImageBuildException e)
            {
                throw new FailureException(e.Message);
            }
        }));
        return new Command("image", "Build the image Waylay's injected containers run.") { build };
    }
}
