using Waylay.Node.Images.Store;
using Waylay.Node.Processes;
using Waylay.Node.Up;
using Waylay.TestKit;

namespace Waylay.Node.Tests.Images.Store;

public sealed class ImageStoreTests
{
    [Theory]
    [InlineData("busybox", "docker.io/library/busybox:latest")]
    [InlineData("waylay/waylay", "docker.io/waylay/waylay:latest")]
    [InlineData("docker.io/waylay/waylay:latest", "docker.io/waylay/waylay:latest")]
    [InlineData("localhost/shop:1", "localhost/shop:1")]
    [InlineData("registry.example:5000/team/app", "registry.example:5000/team/app:latest")]
    [InlineData("quay.io/x/y@sha256:abc", "quay.io/x/y@sha256:abc")]
    [InlineData("quay.io/x/y:1@sha256:abc", "quay.io/x/y@sha256:abc")] // the digest decides, as containerd stores it
    public void Reference_IsNormalisedAsContainerdStoresIt(string given, string stored) =>
        Assert.Equal(stored, ImageReference.Normalize(given));

    [Fact]
    public void UpWithTheOciRuntime_AnImageNotInTheStore_IsRefusedNamingItAndImageLoad()
    {
        var directory = Directory.CreateTempSubdirectory(RunId.Next("store")).FullName;
        try
        {
            var file = Path.Combine(directory, "app.yaml");
            File.WriteAllText(file, """
                apiVersion: v1
                kind: Pod
                metadata: {name: app, annotations: {sidecar.istio.io/inject: "false"}}
                spec:
                  containers: [{name: app, image: "shop/app:2"}]
                """);
            var options = new UpOptions { Paths = [file], RunId = "x", Runtime = ContainerRuntimeKind.Oci, ImageStore = Path.Combine(directory, "store") };

            var error = Assert.Throws<UpInputException>(() => MeshPlan.Create(options));

            Assert.Contains("image 'shop/app:2' is not in the image store", error.Message, StringComparison.Ordinal);
            Assert.Contains("waylay image load FILE", error.Message, StringComparison.Ordinal);
            Assert.False(Directory.Exists(options.StateDirectory));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Load_OfAFileThatIsNotAnOciArchive_SaysSo_AndStoresNothing()
    {
        var directory = Directory.CreateTempSubdirectory(RunId.Next("store")).FullName;
        try
        {
            var file = Path.Combine(directory, "not-an-image.tar");
            File.WriteAllText(file, "plain text");
            var store = new ImageStore(Path.Combine(directory, "store"));

            var error = await Assert.ThrowsAsync<ImageStoreException>(() => store.LoadAsync(file, CancellationToken.None));

            Assert.Contains("is not an OCI archive", error.Message, StringComparison.Ordinal);
            Assert.Empty(store.List());
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
