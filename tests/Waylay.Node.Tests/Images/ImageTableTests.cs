using Waylay.Node.Images;

namespace Waylay.Node.Tests.Images;

public sealed class ImageTableTests
{
    private static readonly string Here = AppContext.BaseDirectory;

    [Fact]
    public void BookinfoImage_RunsTheSampleInItsRoleAndVersion()
    {
        var image = ImageTable.ForThisProgram().Resolve("docker.io/istio/examples-bookinfo-reviews-v3:1.20.3", null, null);

        Assert.Equal([Path.Combine(Here, "bookinfo"), "reviews", "--version", "v3"], image.Argv);
    }

    [Fact]
    public void WaylayImage_RunsTheCli_AndTheContainersArgs()
    {
        var image = new ImageTable(Here).Resolve("docker.io/waylay/waylay:latest", null, ["capture", "-p", "15001"]);

        Assert.Equal([Path.Combine(Here, "waylay"), "capture", "-p", "15001"], image.Argv);
    }

    [Fact]
    public void ProxyCaptureControlWebhookArgs_RunTheAotBuilds_WhenInstalledBesideTheCli()
    {
        var directory = Directory.CreateTempSubdirectory("wl-images-");
        try
        {
            File.WriteAllText(Path.Combine(directory.FullName, "waylay"), "");
            var table = new ImageTable(directory.FullName);
            var cli = Path.Combine(directory.FullName, "waylay");

            // Neither installed: the CLI runs every command itself.
            Assert.Equal(cli, table.Resolve("waylay/proxy:1.0", null, ["proxy", "--x"]).Argv[0]);
            Assert.Equal(cli, table.Resolve("waylay/waylay:1.0", null, ["control", "-f", "/x"]).Argv[0]);

            File.WriteAllText(Path.Combine(directory.FullName, ImageTable.SidecarBinary), "");
            File.WriteAllText(Path.Combine(directory.FullName, ImageTable.ControlBinary), "");
            var sidecar = Path.Combine(directory.FullName, ImageTable.SidecarBinary);
            var control = Path.Combine(directory.FullName, ImageTable.ControlBinary);

            Assert.Equal([sidecar, "proxy", "--x"], table.Resolve("waylay/proxy:1.0", null, ["proxy", "--x"]).Argv);
            Assert.Equal([sidecar, "capture", "-p", "15001"], table.Resolve("waylay/proxy:1.0", null, ["capture", "-p", "15001"]).Argv);
            Assert.Equal([control, "control", "-f", "/x"], table.Resolve("waylay/waylay:1.0", null, ["control", "-f", "/x"]).Argv);
            Assert.Equal([control, "webhook", "--cert", "c"], table.Resolve("waylay/waylay:1.0", null, ["webhook", "--cert", "c"]).Argv);
            // Only the CLI has the other commands; an explicit command is the user's, never swapped.
            Assert.Equal([cli, "inject", "-f", "x"], table.Resolve("waylay/waylay:1.0", null, ["inject", "-f", "x"]).Argv);
            Assert.Equal(["/bin/sh", "control"], table.Resolve("waylay/waylay:1.0", ["/bin/sh"], ["control"]).Argv);
        }
        finally
        {
            directory.Delete(true);
        }
    }

    [Fact]
    public void Overlay_OverridesBuiltIns_AndFollowsTheImageCommandRules()
    {
        var overlay = ImageTableReader.Read(
            """
            "docker.io/istio/examples-bookinfo-details-*":
              command: [/opt/details, --fast]
              args: [--port, 9080]
              env: {MODE: test}
              workingDir: /srv
            """, "images.yaml");
        var table = new ImageTable(Here, overlay);

        var plain = table.Resolve("docker.io/istio/examples-bookinfo-details-v1:1.20.3", null, null);
        Assert.Equal(["/opt/details", "--fast", "--port", "9080"], plain.Argv);
        Assert.Equal("test", plain.Environment["MODE"]);
        Assert.Equal("/srv", plain.WorkingDirectory);
        Assert.Equal(["/opt/details", "--fast", "--other"], table.Resolve("docker.io/istio/examples-bookinfo-details-v1:1", null, ["--other"]).Argv);
        Assert.Equal(["/bin/true"], table.Resolve("docker.io/istio/examples-bookinfo-details-v1:1", ["/bin/true"], null).Argv);
    }

    [Fact]
    public void UnknownImage_IsAnError_NamingTheImageAndTheImagesFix()
    {
        var error = Assert.Throws<ImageTableException>(() => new ImageTable(Here).Resolve("quay.io/acme/shop:2", null, null));

        Assert.Contains("'quay.io/acme/shop:2'", error.Message, StringComparison.Ordinal);
        Assert.Contains("--images FILE", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OverlayErrors_AreAllReported()
    {
        var error = Assert.Throws<ImageTableException>(() => ImageTableReader.Read("a: {args: [x]}\nb: {command: [y], colour: red}\n", "images.yaml"));

        Assert.Contains("'a': command is required", error.Message, StringComparison.Ordinal);
        Assert.Contains("'b': unknown field 'colour'", error.Message, StringComparison.Ordinal);
    }
}
