using Waylay.Control.Sources.Kubernetes;

namespace Waylay.Control.Tests.Sources.Kubernetes;

public sealed class KubernetesConnectionTests
{
    [Fact]
    public void MissingKubeconfig_NamesTheFileAndTheFix()
    {
        var path = Path.Combine(Path.GetTempPath(), $"wl-missing-{Guid.NewGuid():N}", "kubeconfig");

        var error = Assert.Throws<KubernetesSourceException>(() => KubernetesConnection.Configure(new KubernetesSourceOptions(path)));

        Assert.Contains(path, error.Message);
        Assert.Contains("does not exist", error.Message);
        Assert.Contains("pass the path of a kubeconfig", error.Message);
    }

    [Theory]
    [InlineData("clusters: [ this is not yaml")]
    [InlineData("apiVersion: v1\nkind: Config\ncurrent-context: nowhere\ncontexts: []\nclusters: []\nusers: []\n")]
    public void BrokenKubeconfig_NamesTheFileAndTheFix(string text)
    {
        var directory = Directory.CreateTempSubdirectory("wl-kubeconfig-");
        try
        {
            var path = Path.Combine(directory.FullName, "kubeconfig");
            File.WriteAllText(path, text);

            var error = Assert.Throws<KubernetesSourceException>(() => KubernetesConnection.Configure(new KubernetesSourceOptions(path)));

            Assert.StartsWith($"--kubeconfig {path}: ", error.Message);
            Assert.Contains("fix the file", error.Message);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void NoKubeconfigOutsideACluster_SaysToPassOne()
    {
        if (Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST") is not null)
        {
            return; // inside a cluster the in-cluster configuration is the right answer
        }

        var error = Assert.Throws<KubernetesSourceException>(() => KubernetesConnection.Configure(new KubernetesSourceOptions()));

        Assert.Contains("--kubeconfig", error.Message);
    }
}
