using Waylay.Inject.Values;
using Waylay.Linux;
using Waylay.Node.Processes;
using Waylay.Node.Tests.Manifests;
using Waylay.Node.Up;
using Waylay.TestKit;

namespace Waylay.Node.Tests.Up;

public sealed class MeshPlanTests
{
    private static readonly string BookinfoDirectory = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(ManifestSetTests.Bookinfo)!, "..", ".."));

    private static UpOptions Options(params string[] paths) => new() { Paths = paths, RunId = "plan" };

    [Fact]
    public void BookinfoDirectory_RunsSixPodsAndTheIngressGateway_FiveServices_AndListsTheRoutingRules()
    {
        var plan = MeshPlan.Create(Options(BookinfoDirectory) with { Nodes = 2 });

        // The pods have sidecars: the control plane comes first (it starts before the sidecars that stream from it);
        // networking/bookinfo-gateway.yaml holds a Gateway: Istio's ingress gateway comes with it, last.
        Assert.Equal(8, plan.Pods.Count);
        Assert.Equal((ControlPlane.Namespace, $"Deployment/{ControlPlane.Name}"), (plan.Pods[0].Namespace, plan.Pods[0].Pod.Source.Workload));
        Assert.Equal(["waylay-control", "details", "ratings", "reviews", "productpage", "istio-ingressgateway"], plan.Services.Select(s => s.Name));
        // Round robin over the nodes, in manifest order.
        Assert.Equal([1, 2, 1, 2, 1, 2, 1, 2], plan.Pods.Select(p => p.Node));
        Assert.Equal("node2", plan.Pods[1].Pod.NodeName);
        // What the control plane is fed from files: every Service and routing object, none of the pods.
        Assert.Contains(plan.ControlObjects, o => (string?)o["kind"] == "VirtualService" && (string?)o["metadata"]?["name"] == "bookinfo");
        Assert.Contains(plan.ControlObjects, o => (string?)o["kind"] == "Service" && (string?)o["metadata"]?["name"] == "productpage");
        Assert.DoesNotContain(plan.ControlObjects, o => (string?)o["kind"] is "Deployment" or "Pod");
        // The sample's kustomization.yaml: the app, its gateway and the subsets; Istio's task rules beside them
        // (virtual-service-all-v1.yaml, …) are left for `waylay apply`, so all three reviews versions serve at first.
        Assert.Contains("VirtualService/bookinfo", plan.RoutingObjects);
        Assert.DoesNotContain("VirtualService/reviews", plan.RoutingObjects);
        Assert.Contains("DestinationRule/reviews", plan.RoutingObjects);
        Assert.Contains("Gateway/bookinfo-gateway", plan.RoutingObjects);
        Assert.Equal("istio-ingressgateway", plan.Exposed!.Name);
        Assert.Equal(80, plan.ExposedPort!.Port);
        Assert.Equal("/productpage", plan.UrlPath);
        // The sample's C# sources hold no manifests: nothing of them is read.
        Assert.DoesNotContain(plan.Skipped, s => s.EndsWith(".yaml", StringComparison.Ordinal) && s.Contains("/platform/", StringComparison.Ordinal));
    }

    [Fact]
    public void Directory_SkipsYamlThatIsNotAKubernetesManifest_AndNamesIt()
    {
        using var directory = new TempDirectory();
        File.WriteAllText(Path.Combine(directory.Path, "values.yaml"), "replicas: 3\nimage: nginx\n");
        Directory.CreateDirectory(Path.Combine(directory.Path, "deep"));
        File.WriteAllText(Path.Combine(directory.Path, "deep", "svc.yml"), "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports: [{port: 80, name: http, targetPort: http}]\n");

        var plan = MeshPlan.Create(Options(directory.Path));

        Assert.Equal([Path.Combine(directory.Path, "values.yaml")], plan.Skipped);
        var web = Assert.Single(plan.Services);
        Assert.Equal("http", web.NamedTargetPorts["http"]);
        Assert.Equal("web", plan.Exposed!.Name);
    }

    [Fact]
    public void Kustomization_ReadsOnlyItsResources_FilesAndDirectories()
    {
        using var directory = new TempDirectory();
        const string Service = "apiVersion: v1\nkind: Service\nmetadata: {name: NAME}\nspec:\n  selector: {app: NAME}\n  ports: [{port: 80, name: http}]\n";
        Directory.CreateDirectory(Path.Combine(directory.Path, "apps", "more"));
        File.WriteAllText(Path.Combine(directory.Path, "apps", "web.yaml"), Service.Replace("NAME", "web", StringComparison.Ordinal));
        File.WriteAllText(Path.Combine(directory.Path, "apps", "more", "api.yaml"), Service.Replace("NAME", "api", StringComparison.Ordinal));
        File.WriteAllText(Path.Combine(directory.Path, "later.yaml"), Service.Replace("NAME", "later", StringComparison.Ordinal));
        File.WriteAllText(Path.Combine(directory.Path, "kustomization.yaml"), "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - apps\n");

        var plan = MeshPlan.Create(Options(directory.Path));

        Assert.Equal(["api", "web"], plan.Services.Select(s => s.Name).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("resources: [missing.yaml]\n", "resource 'missing.yaml' does not exist")]
    [InlineData("resources: [a.yaml]\npatches: [{path: p.yaml}]\n", "'patches' is not supported by waylay up")]
    [InlineData("resources: a.yaml\n", "resources must be a list of paths")]
    public void Kustomization_WhatWaylayDoesNotRead_IsRefusedByName(string kustomization, string expected)
    {
        using var directory = new TempDirectory();
        File.WriteAllText(Path.Combine(directory.Path, "a.yaml"), "apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec:\n  selector: {app: a}\n  ports: [{port: 80}]\n");
        File.WriteAllText(Path.Combine(directory.Path, "kustomization.yaml"), kustomization);

        var error = Assert.ThrowsAny<Exception>(() => MeshPlan.Create(Options(directory.Path)));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NoManifests_NamesThePath()
    {
        using var directory = new TempDirectory();
        File.WriteAllText(Path.Combine(directory.Path, "notes.txt"), "hello");

        var error = Assert.Throws<UpInputException>(() => MeshPlan.Create(Options(directory.Path)));

        Assert.Contains(directory.Path, error.Message, StringComparison.Ordinal);
        Assert.Contains("no Kubernetes manifests found", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownImage_IsTheImageTablesMessage_BeforeAnythingRuns()
    {
        using var directory = new TempDirectory();
        var file = Path.Combine(directory.Path, "pod.yaml");
        File.WriteAllText(file, "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers: [{name: web, image: nginx:1.27}]\n");

        var error = Assert.Throws<UpInputException>(() => MeshPlan.Create(Options(file)));

        Assert.Contains("image 'nginx:1.27' has no entry in the image table", error.Message, StringComparison.Ordinal);
        Assert.Contains("--images FILE", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists("/run/waylay/plan"));
    }

    /// <summary>
    /// A container that runs as a user other than root must be able to start its program: one below a directory that
    /// user may not enter (Waylay checked out in root's 0700 home) is planned, as the pod opens the way; one the user
    /// may not execute is refused before anything runs, naming the file and the fix, instead of a pod that restarts
    /// for ever.
    /// </summary>
    [NetnsFact]
    public async Task ProgramBehindADirectoryItsUserMayNotEnter_IsPlanned_ButOneItMayNotExecute_IsRefusedBeforeAnythingRuns()
    {
        // The pod opens the closed directory for its user (PodMounter, step 8; PodSandboxTests runs one); the file's
        // own mode is the machine's, and decides.
        using var directory = new TempDirectory(); // 0700, as CreateTempSubdirectory makes it
        var program = Path.Combine(directory.Path, "web");
        File.Copy("/bin/true", program);
        File.SetUnixFileMode(program, (UnixFileMode)0b111_101_101);
        var images = Path.Combine(directory.Path, "images.yaml");
        File.WriteAllText(images, $"\"web:1\":\n  command: [{program}]\n");
        var manifest = Path.Combine(directory.Path, "pod.yaml");
        File.WriteAllText(manifest, "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  securityContext: {runAsUser: 1337}\n  containers: [{name: web, image: 'web:1'}]\n");

        var plan = MeshPlan.Create(Options(manifest) with { ImagesFile = images });
        var web = Assert.Single(plan.Pods, p => p.Pod.Name == "web").Pod.Containers.Single(c => c.Name == "web");
        Assert.Equal(program, web.Template.Command[0]);

        foreach (var directoryMode in new[] { 0b111_000_000, 0b111_101_101 })
        {
            File.SetUnixFileMode(directory.Path, (UnixFileMode)directoryMode);
            File.SetUnixFileMode(program, (UnixFileMode)0b111_100_100);

            var error = Assert.Throws<UpInputException>(() => MeshPlan.Create(Options(manifest) with { ImagesFile = images }));

            Assert.Contains("pod default/web: container web runs as uid 1337 (gid 1337)", error.Message, StringComparison.Ordinal);
            Assert.Contains($"could not start {program}: it is not executable by other users", error.Message, StringComparison.Ordinal);
            Assert.Contains($"chmod o+x {program}", error.Message, StringComparison.Ordinal);
            Assert.False(Directory.Exists("/run/waylay/plan"));
        }

        // A directory others may enter but this user's group may not: the pod does not open it, so the plan refuses.
        File.SetUnixFileMode(program, (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(directory.Path, (UnixFileMode)0b111_000_001);
        Assert.Equal(0, (await Exec.RunAsync("chgrp", "1337", directory.Path)).ExitCode);
        var kept = Assert.Throws<UpInputException>(() => MeshPlan.Create(Options(manifest) with { ImagesFile = images }));
        Assert.Contains($"could not start {program}: it may not enter {directory.Path}, though other users may", kept.Message, StringComparison.Ordinal);
        Assert.Contains($"chmod g+x {directory.Path}", kept.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ratings", "ratings", 9080)]
    [InlineData("reviews:9080", "reviews", 9080)]
    [InlineData("details.default:http", "details", 9080)]
    public void Expose_ChoosesTheNamedServiceAndPort(string expose, string service, int port)
    {
        var plan = MeshPlan.Create(Options(ManifestSetTests.Bookinfo) with { Expose = expose });

        Assert.Equal(service, plan.Exposed!.Name);
        Assert.Equal(port, plan.ExposedPort!.Port);
    }

    [Theory]
    [InlineData("nosuch", "no Service 'nosuch'")]
    [InlineData("reviews:8080", "has no TCP port 8080")]
    public void Expose_Unknown_IsRefusedWithTheChoices(string expose, string message)
    {
        var error = Assert.Throws<UpInputException>(() => MeshPlan.Create(Options(ManifestSetTests.Bookinfo) with { Expose = expose }));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Nodes_OutOfRange_IsRefused()
    {
        var error = Assert.Throws<UpInputException>(() => MeshPlan.Create(Options(ManifestSetTests.Bookinfo) with { Nodes = 0 }));

        Assert.Contains("--nodes 0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ControlPlane_RunsTheInstallManifestsContainer_ButForItsSource()
    {
        var plan = MeshPlan.Create(Options(BookinfoDirectory));
        var install = k8s.KubernetesJson.Serialize(Waylay.Control.Install.ControlManifests.Objects(ControlPlane.Namespace, InjectionValues.Default.Image, "IfNotPresent")
            .OfType<k8s.Models.V1Deployment>().Single().Spec.Template.Spec.Containers.Single());
        var up = plan.Pods.Single(p => p.Namespace == ControlPlane.Namespace).Pod.Pod.Spec.Containers.Single();
        var expected = k8s.KubernetesJson.Deserialize<k8s.Models.V1Container>(install);

        Assert.Equal(expected.Image, up.Image);
        Assert.Equal(k8s.KubernetesJson.Serialize(expected.SecurityContext), k8s.KubernetesJson.Serialize(up.SecurityContext));
        // No API server here: the files the node keeps current take --in-cluster's place.
        Assert.Equal(expected.Args.SelectMany(a => a == "--in-cluster" ? ["-f", ControlPlane.ConfigPath, "--poll-interval", "500ms"] : new[] { a }), up.Args);
        Assert.Equal(expected.Ports.Select(p => (p.Name, p.ContainerPort)), up.Ports.Select(p => (p.Name, p.ContainerPort)));
    }

    [Fact]
    public void Oci_WithoutTheWaylayImage_IsRefusedBeforeAnythingIsMade_NamingBuildAndLoad()
    {
        using var store = new TempDirectory();

        var error = Assert.Throws<UpInputException>(() => MeshPlan.Create(Options(BookinfoDirectory) with { Runtime = ContainerRuntimeKind.Oci, ImageStore = store.Path }));

        // The control plane is the first pod, and it runs from the waylay image.
        Assert.Contains($"pod {ControlPlane.Namespace}/{ControlPlane.Name}-", error.Message, StringComparison.Ordinal);
        Assert.Contains($"image '{InjectionValues.Default.Image}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("waylay image build --out waylay.tar && waylay image load waylay.tar", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(store.Path));
    }

    private sealed class TempDirectory : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory(RunId.Next("plan")).FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
