using Waylay.Node.Images.Store;

namespace Waylay.Node.Tests.Images.Store;

public sealed class ImageNameTests
{
    private const string Digest = "sha256:83e0bd788d179ea1f87c391b58a62e06b014d43b42b2ba1520f4ac99e2eb8821";

    [Theory]
    [InlineData("busybox", "docker.io", "library/busybox", "latest", null)]
    [InlineData("waylay/waylay", "docker.io", "waylay/waylay", "latest", null)]
    [InlineData("127.0.0.1:5000/team/app:1.2", "127.0.0.1:5000", "team/app", "1.2", null)]
    [InlineData("localhost/app", "localhost", "app", "latest", null)]
    [InlineData("[::1]:5000/app:v1", "[::1]:5000", "app", "v1", null)]
    [InlineData("registry.example/app@" + Digest, "registry.example", "app", null, Digest)]
    [InlineData("registry.example/app:1@" + Digest, "registry.example", "app", null, Digest)] // the digest decides
    public void Reference_IsTakenApartAsTheKubeletReadsIt(string given, string registry, string repository, string? tag, string? digest) =>
        Assert.Equal(new ImageName(registry, repository, tag, digest), ImageName.Parse(given));

    [Theory]
    [InlineData("Team/App")]
    [InlineData("127.0.0.1:5000/app:")]
    [InlineData("app@sha256:short")]
    [InlineData("host:port/app")]
    public void NotAReference_IsRefusedWithItsForm(string given)
    {
        var error = Assert.Throws<ImageStoreException>(() => ImageName.Parse(given));
        Assert.Contains($"image '{given}': not an image reference", error.Message, StringComparison.Ordinal);
        Assert.Contains("[REGISTRY[:PORT]/]REPOSITORY[:TAG][@sha256:DIGEST]", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("localhost:5000/app", true)]
    [InlineData("localhost/app", true)]
    [InlineData("127.0.0.1:5000/app", true)]
    [InlineData("127.1.2.3:5000/app", true)]
    [InlineData("[::1]:5000/app", true)]
    [InlineData("10.0.0.1:5000/app", false)]
    [InlineData("registry.example:5000/app", false)]
    [InlineData("busybox", false)]
    public void PlainHttp_IsAllowedOnLoopbackRegistriesAlone_ByContainerdsRule(string image, bool plain)
    {
        var flags = RegistryOptions.Default.SkopeoFlags(ImageName.Parse(image));
        Assert.Equal(plain ? ["--src-tls-verify=false"] : Array.Empty<string>(), flags);
    }

    [Fact]
    public void PlainHttp_ElsewhereNeedsTheRegistryNamedInsecure()
    {
        var options = new RegistryOptions { InsecureRegistries = ["registry.example:5000"] };
        Assert.Equal(["--src-tls-verify=false"], options.SkopeoFlags(ImageName.Parse("registry.example:5000/app:1")));
        Assert.Empty(options.SkopeoFlags(ImageName.Parse("registry.example/app:1"))); // another port is another registry
    }

    [Theory]
    [InlineData("busybox", null, "Always")]
    [InlineData("busybox:latest", null, "Always")]
    [InlineData("busybox:1.36", null, "IfNotPresent")]
    [InlineData("busybox@" + Digest, null, "IfNotPresent")]
    [InlineData("busybox", "Never", "Never")]
    [InlineData("busybox:1.36", "Always", "Always")]
    [InlineData("busybox:latest", "IfNotPresent", "IfNotPresent")]
    public void PullPolicy_DefaultsAsKubernetesDoes(string image, string? given, string expected) =>
        Assert.Equal(expected, PullPolicies.Of(image, given, "pod x").ToString());

    [Fact]
    public void PullPolicy_Unknown_IsRefusedNamingTheThree()
    {
        var error = Assert.Throws<ImageStoreException>(() => PullPolicies.Of("busybox", "Sometimes", "pod default/x (Pod/x): container c"));
        Assert.Equal("pod default/x (Pod/x): container c: imagePullPolicy 'Sometimes': use Always, IfNotPresent or Never", error.Message);
    }
}
