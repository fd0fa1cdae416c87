using System.Runtime.CompilerServices;
using Waylay.Inject;
using Waylay.Inject.Manifests;
using Waylay.Inject.Values;
using Waylay.Node.Images;
using Waylay.Node.Kubelet;
using Waylay.Node.Manifests;

namespace Waylay.Node.Tests.Manifests;

public sealed class ManifestSetTests
{
    internal static readonly string Bookinfo = Path.GetFullPath(Path.Combine(Here(), "..", "..", "..", "samples", "bookinfo", "platform", "kube", "bookinfo.yaml"));

    [Fact]
    public void Bookinfo_ExpandsIntoSixInjectedPods_NamedAsTheirControllersWould()
    {
        var set = ManifestSet.Read([new ManifestInput(Bookinfo, File.ReadAllText(Bookinfo))], InjectionValues.Default);

        Assert.Equal(6, set.Pods.Count);
        var reviews = set.Pods.Single(p => p.Workload == "Deployment/reviews-v2");
        var hash = (string)reviews.Pod["metadata"]!["labels"]!["pod-template-hash"]!;
        Assert.Matches($"^reviews-v2-{hash}-[bcdfghjklmnpqrstvwxz2456789]{{5}}$", reviews.Name);
        Assert.Equal("reviews", (string)reviews.Pod["metadata"]!["labels"]!["app"]!);
        Assert.Equal("v2", (string)reviews.Pod["metadata"]!["labels"]!["version"]!);
        Assert.Equal("bookinfo-reviews", (string)reviews.Pod["spec"]!["serviceAccountName"]!);
        Assert.All(set.Pods, p => Assert.Equal(InjectionDecision.Injected, set.Reports.Single(r => r.Workload == p.Workload).Decision));
        Assert.Contains(set.Objects, o => (string)o["kind"]! == "Service" && (string)o["metadata"]!["name"]! == "productpage");
    }

    [Fact]
    public async Task Bookinfo_PodsAreWhatWaylayInjectWrites_PlusTheControllersMetadata()
    {
        var set = ManifestSet.Read([new ManifestInput(Bookinfo, File.ReadAllText(Bookinfo))], InjectionValues.Default);
        var cli = await Waylay.TestKit.WaylayCli.RunAsync("inject", "-f", Bookinfo);
        Assert.True(cli.Succeeded, cli.Diagnostic);
        var written = Waylay.Inject.Yaml.YamlReader.ReadDocuments(cli.StandardOutput, "waylay inject").OfType<System.Text.Json.Nodes.JsonObject>()
            .Where(d => (string?)d["kind"] == "Deployment")
            .ToDictionary(d => $"Deployment/{(string)d["metadata"]!["name"]!}", d => d["spec"]!["template"]!);

        Assert.Equal(written.Keys.Order(), set.Pods.Select(p => p.Workload).Order());
        foreach (var pod in set.Pods)
        {
            var template = (System.Text.Json.Nodes.JsonObject)pod.Pod.DeepClone();
            var metadata = (System.Text.Json.Nodes.JsonObject)template["metadata"]!;
            metadata.Remove("name");
            metadata.Remove("namespace");
            ((System.Text.Json.Nodes.JsonObject)metadata["labels"]!).Remove("pod-template-hash");
            Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(written[pod.Workload], template), $"{pod.Workload}: {template.ToJsonString()}\nwaylay inject: {written[pod.Workload]!.ToJsonString()}");
        }
    }

    [Fact]
    public void Bookinfo_PodsConvert_WithImagesMappedAndTheInjectedContainers()
    {
        var set = ManifestSet.Read([new ManifestInput(Bookinfo, File.ReadAllText(Bookinfo))], InjectionValues.Default);
        var table = ImageTable.ForThisProgram();

        var pods = set.Pods.Select(p => PodConverter.Convert(p, set, table, "node0", "10.96.0.10")).ToList();

        var reviews = pods.Single(p => p.Source.Workload == "Deployment/reviews-v3");
        var app = reviews.Containers.Single(c => c.Name == "reviews");
        Assert.Equal([Path.Combine(AppContext.BaseDirectory, "bookinfo"), "reviews", "--version", "v3"], app.Template.Command);
        Assert.Equal(1000u, app.Template.RunAsUser);
        Assert.Equal("/tmp/logs", app.Environment(new PodFacts(reviews.Pod, "node0", null, null))["LOG_DIR"]);
        var proxy = reviews.Containers.Single(c => c.Name == "waylay-proxy");
        Assert.Equal(1337u, proxy.Template.RunAsUser);
        Assert.Equal("proxy", proxy.Template.Command[1]);
        var init = Assert.Single(reviews.InitContainers);
        Assert.Equal("capture", init.Template.Command[1]);
        Assert.Equal(0u, init.Template.RunAsUser);
    }

    [Fact]
    public void UnsupportedKind_IsAnErrorNamingTheDocument()
    {
        var error = Assert.Throws<ManifestException>(() => ManifestSet.Read([new ManifestInput("x.yaml", "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: nightly}\n")], InjectionValues.Default));

        Assert.Contains("x.yaml: CronJob/nightly", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StatefulSet_PodsAreOrdinals_AndSecretsDecode()
    {
        var set = ManifestSet.Read([new ManifestInput("db.yaml", """
            apiVersion: v1
            kind: Secret
            metadata: {name: db}
            data: {password: c2VjcmV0}
            stringData: {user: admin}
            ---
            apiVersion: apps/v1
            kind: StatefulSet
            metadata: {name: db, annotations: {}}
            spec:
              replicas: 2
              serviceName: db
              selector: {matchLabels: {app: db}}
              template:
                metadata: {labels: {app: db}, annotations: {sidecar.istio.io/inject: "false"}}
                spec:
                  containers: [{name: db, image: docker.io/istio/examples-bookinfo-ratings-v1:1}]
            """)], InjectionValues.Default);

        Assert.Equal(["db-0", "db-1"], set.Pods.Select(p => p.Name));
        Assert.Equal("db-1", (string)set.Pods[1].Pod["spec"]!["hostname"]!);
        Assert.Equal("secret", set.Secret("default", "db")!["password"]);
        Assert.Equal("admin", set.Secret("default", "db")!["user"]);
    }

    private static string Here([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
