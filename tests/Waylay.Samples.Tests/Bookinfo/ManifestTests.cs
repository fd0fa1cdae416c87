using System.Runtime.CompilerServices;
using Waylay.Inject;
using Waylay.Inject.Manifests;
using Waylay.Inject.Values;
using Waylay.Mesh.Networking;
using Waylay.TestKit;
using YamlDotNet.RepresentationModel;

namespace Waylay.Samples.Tests.Bookinfo;

/// <summary>
/// Every YAML file of <c>samples/bookinfo/</c> read by Waylay's own readers, as a user applying them would have them
/// read: the workloads by the injector's manifest walker (and the real <c>waylay inject</c>), the Istio rules by the
/// networking reader, with the meaning Istio's tasks rely on.
/// </summary>
public sealed class ManifestTests
{
    private static readonly string Sample = Path.GetFullPath(Path.Combine(Here(), "..", "..", "..", "samples", "bookinfo"));

    private static string Kube => Path.Combine(Sample, "platform", "kube", "bookinfo.yaml");

    public static TheoryData<string> NetworkingFiles => [.. Directory.GetFiles(Path.Combine(Sample, "networking"), "*.yaml").Select(f => Path.GetFileName(f)).Where(f => f is not ("bookinfo-gateway.yaml" or "destination-rule-all.yaml"))];

    [Fact]
    public void TheSampleHasEveryFileIstiosTasksName()
    {
        string[] expected =
        [
            "platform/kube/bookinfo.yaml", "networking/bookinfo-gateway.yaml", "networking/destination-rule-all.yaml",
            "networking/virtual-service-all-v1.yaml", "networking/virtual-service-reviews-50-v3.yaml",
            "networking/virtual-service-reviews-test-v2.yaml", "networking/virtual-service-ratings-test-delay.yaml",
            "networking/virtual-service-ratings-test-abort.yaml",
            "kustomization.yaml", // what `waylay up samples/bookinfo` (and `kubectl apply -k`) applies: app, gateway, subsets
        ];
        var yaml = Directory.GetFiles(Sample, "*.yaml", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(Sample, f)).Order();
        Assert.Equal(expected.Order(), yaml);
    }

    [Theory]
    [MemberData(nameof(NetworkingFiles))]
    public void NetworkingFile_IsReadByTheNetworkingReader_TogetherWithTheDestinationRules(string file)
    {
        // The tasks apply the destination rules first and keep them: every rule file is read with them in force.
        var config = NetworkingReader.Read(Read("networking", "destination-rule-all.yaml") + "\n---\n" + Read("networking", file), file);
        Assert.Equal(["productpage", "reviews", "ratings", "details"], config.DestinationRules.Select(r => r.Name));
        Assert.NotEmpty(config.VirtualServices);
    }

    [Fact]
    public void Rules_MeanWhatIstiosTasksSay()
    {
        var reviews = Route(Read("networking", "destination-rule-all.yaml"), "reviews");
        Assert.Equal(["v1", "v2", "v3"], reviews.Subsets.Select(s => s.Name));
        Assert.Equal(["v1", "v2", "v3"], reviews.Subsets.Select(s => s.Labels["version"]));

        var allV1 = NetworkingReader.Read(Read("networking", "virtual-service-all-v1.yaml"));
        Assert.Equal(["productpage", "reviews", "ratings", "details"], allV1.VirtualServices.Select(v => v.Name));
        Assert.All(allV1.VirtualServices, v => Assert.Equal("v1", Assert.Single(Assert.Single(v.Http).Route).Destination.Subset));

        var split = Assert.Single(Assert.Single(NetworkingReader.Read(Read("networking", "virtual-service-reviews-50-v3.yaml")).VirtualServices).Http);
        Assert.Equal([("v1", 50), ("v3", 50)], split.Route.Select(r => (r.Destination.Subset, r.Weight)));

        var jason = Assert.Single(NetworkingReader.Read(Read("networking", "virtual-service-reviews-test-v2.yaml")).VirtualServices).Http;
        Assert.Equal(2, jason.Count);
        var header = Assert.Single(Assert.Single(jason[0].Match).Headers);
        Assert.Equal(("end-user", StringMatchKind.Exact, "jason"), (header.Name, header.Match.Kind, header.Match.Value));
        Assert.Equal("v2", Assert.Single(jason[0].Route).Destination.Subset);
        Assert.Equal("v1", Assert.Single(jason[1].Route).Destination.Subset);

        var delay = Assert.Single(NetworkingReader.Read(Read("networking", "virtual-service-ratings-test-delay.yaml")).VirtualServices).Http[0].Fault!.Delay!;
        Assert.Equal((TimeSpan.FromSeconds(7), 100.0), (delay.FixedDelay, delay.Percentage));
        var abort = Assert.Single(NetworkingReader.Read(Read("networking", "virtual-service-ratings-test-abort.yaml")).VirtualServices).Http[0].Fault!.Abort!;
        Assert.Equal((500, 100.0), (abort.HttpStatus, abort.Percentage));
    }

    [Fact]
    public void GatewayFile_ReadsAsIstios_TheGatewayOnTheIngressGatewayAndItsVirtualServiceBoundToItOnly()
    {
        var config = NetworkingReader.Read(Read("networking", "bookinfo-gateway.yaml"));

        var gateway = Assert.Single(config.Gateways);
        Assert.Equal(("bookinfo-gateway", "ingressgateway"), (gateway.Name, gateway.Selector["istio"]));
        var server = Assert.Single(gateway.Servers);
        Assert.Equal(("HTTP", "*"), (server.Protocol, Assert.Single(server.Hosts).Host));
        var bookinfo = Assert.Single(config.VirtualServices);
        Assert.Equal(["default/bookinfo-gateway"], bookinfo.Gateways);
        Assert.False(bookinfo.AppliesToMesh);
        Assert.Equal("productpage.default.svc.cluster.local", bookinfo.Http[0].Route[0].Destination.Host);
    }

    [Fact]
    public void Workloads_AreShapedLikeIstios_ServiceAccountAndDeploymentsWithAppAndVersion()
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(Kube)));
        var documents = stream.Documents.Select(d => d.RootNode).OfType<YamlMappingNode>().ToList();
        string Kind(YamlMappingNode d) => ((YamlScalarNode)d["kind"]).Value!;
        YamlNode At(YamlNode node, params string[] path) => path.Aggregate(node, (n, key) => int.TryParse(key, out var i) ? ((YamlSequenceNode)n)[i] : ((YamlMappingNode)n)[key]);
        string Text(YamlNode node, params string[] path) => ((YamlScalarNode)At(node, path)).Value!;

        var services = documents.Where(d => Kind(d) == "Service").ToList();
        Assert.Equal(["details", "ratings", "reviews", "productpage"], services.Select(s => Text(s, "metadata", "name")));
        Assert.All(services, s => Assert.Equal(("9080", "http"), (Text(s, "spec", "ports", "0", "port"), Text(s, "spec", "ports", "0", "name"))));
        Assert.All(services, s => Assert.Equal(Text(s, "metadata", "name"), Text(s, "spec", "selector", "app")));
        Assert.Equal(["bookinfo-details", "bookinfo-ratings", "bookinfo-reviews", "bookinfo-productpage"],
            documents.Where(d => Kind(d) == "ServiceAccount").Select(a => Text(a, "metadata", "name")));

        var deployments = documents.Where(d => Kind(d) == "Deployment").ToList();
        Assert.Equal(["details-v1", "ratings-v1", "reviews-v1", "reviews-v2", "reviews-v3", "productpage-v1"], deployments.Select(d => Text(d, "metadata", "name")));
        foreach (var deployment in deployments)
        {
            var (app, version) = (Text(deployment, "spec", "template", "metadata", "labels", "app"), Text(deployment, "spec", "template", "metadata", "labels", "version"));
            Assert.Equal($"{app}-{version}", Text(deployment, "metadata", "name"));
            Assert.Equal((app, version), (Text(deployment, "spec", "selector", "matchLabels", "app"), Text(deployment, "spec", "selector", "matchLabels", "version")));
            Assert.Equal($"bookinfo-{app}", Text(deployment, "spec", "template", "spec", "serviceAccountName"));
            Assert.StartsWith($"docker.io/istio/examples-bookinfo-{app}-{version}:", Text(deployment, "spec", "template", "spec", "containers", "0", "image"), StringComparison.Ordinal);
            Assert.Equal("9080", Text(deployment, "spec", "template", "spec", "containers", "0", "ports", "0", "containerPort"));
        }
    }

    [Fact]
    public void Workloads_AreInjectedByTheManifestWalker_EveryDeployment()
    {
        var output = ManifestInjector.Inject([new ManifestInput(Kube, File.ReadAllText(Kube))], InjectionValues.Default, force: false);

        Assert.Equal(
            ["Deployment/details-v1", "Deployment/ratings-v1", "Deployment/reviews-v1", "Deployment/reviews-v2", "Deployment/reviews-v3", "Deployment/productpage-v1"],
            output.Reports.Select(r => r.Workload));
        Assert.All(output.Reports, r => Assert.Equal(InjectionDecision.Injected, r.Decision));
        Assert.All(output.Reports, r => Assert.Empty(r.Warnings));
    }

    [Fact]
    public async Task WaylayInject_TakesBookinfoYaml_WithoutAWord()
    {
        var result = await WaylayCli.RunAsync("inject", "-f", Kube);

        Assert.True(result.Succeeded, result.Diagnostic);
        Assert.Equal("", result.StandardError);
        Assert.Equal(6, Http.Count(result.StandardOutput, "name: waylay-init"));
        Assert.Equal(6, Http.Count(result.StandardOutput, "image: docker.io/istio/examples-bookinfo-"));
    }

    private static DestinationRule Route(string text, string name) => NetworkingReader.Read(text).DestinationRules.Single(r => r.Name == name);

    private static string Read(params string[] path) => File.ReadAllText(Path.Combine([Sample, .. path]));

    private static string Here([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
