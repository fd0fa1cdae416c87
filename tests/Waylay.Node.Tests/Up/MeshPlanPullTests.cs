using Waylay.Linux;
using Waylay.Node.Processes;
using Waylay.Node.Processes.Oci;
using Waylay.Node.Tests.Images.Store;
using Waylay.Node.Tests.Processes.Oci;
using Waylay.Node.Up;
using Waylay.TestKit;

namespace Waylay.Node.Tests.Up;

/// <summary>
/// <c>waylay up --runtime oci</c> taking its images from a real registry on 127.0.0.1 (<see cref="TestRegistry"/>) by
/// the pods' <c>imagePullPolicy</c>, as a kubelet does: a missing image pulled and run; Never with a missing image, and
/// a registry that does not answer, refused before anything is made, naming the image, the answer and the fix;
/// Always keeping a stored image when its registry is gone, with a warning.
/// </summary>
[Collection(Waylay.Node.Tests.Images.Build.ImageBuilds.Name)]
public sealed class MeshPlanPullTests(TestRegistry registry) : IClassFixture<TestRegistry>
{
    [RegistryFact]
    public async Task Up_OfAPodNamingARegistrysImage_PullsIt_RunsIt_ServesThroughTheForwarder_AndLeavesNothing()
    {
        using var store = new ImagePullTests.TempStore();
        using var manifests = new Manifest(Web(registry.Busybox, policy: null));
        var options = Options(manifests, store);
        var said = new List<string>();

        var plan = await MeshPlan.CreateAsync(options, said.Add, CancellationToken.None);

        // ":1" is IfNotPresent by Kubernetes' default: pulled because the store lacks it.
        Assert.StartsWith($"pulled {registry.Busybox}@{registry.BusyboxDigest} from {registry.Host}", Assert.Single(said), StringComparison.Ordinal);
        var run = MeshRun.Create(plan, options, new StringWriter());
        try
        {
            using (var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3)))
            {
                await run.StartAsync(timeout.Token);
            }

            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
            Assert.Equal("pulled from a registry", await http.GetStringAsync(new Uri(new Uri(run.Url!), "/index.html")));
        }
        finally
        {
            await run.DisposeAsync();
        }

        Assert.Empty(await TestRuntime.LeftoversAsync(options.RunId, options.StateDirectory));
        var runc = await Exec.RunAsync(OciContainerRuntime.Runc, ["list", "-q"]);
        Assert.DoesNotContain($"wl-{options.RunId}-", runc.StandardOutput, StringComparison.Ordinal);
    }

    [RegistryFact]
    public async Task Up_WithPullPolicyNever_AndTheImageMissing_IsRefusedAsErrImageNeverPull_ThroughTheCli_AndMakesNothing()
    {
        using var store = new ImagePullTests.TempStore();
        using var manifests = new Manifest(Web(registry.Busybox, policy: "Never"));
        var runId = TestRuntime.NextRunId();

        var up = await UpAsync(store, manifests, runId);

        WaylayCli.AssertRefused(up, 2, $"pod default/web (Pod/web): container web: ErrImageNeverPull: image \"{registry.Busybox}\" is not in the image store ({store.Path}) and its imagePullPolicy is Never; load it with: waylay image load FILE, or pull it with: waylay image pull {registry.Busybox}");
        await AssertNothingMadeAsync(runId, store);
    }

    [RegistryFact]
    public async Task Up_WithARegistryThatDoesNotAnswer_IsRefusedAsErrImagePull_NamingTheAnswerAndTheFix_ThroughTheCli_AndMakesNothing()
    {
        using var store = new ImagePullTests.TempStore();
        var nowhere = $"127.0.0.1:{TestRegistry.FreePort()}";
        using var manifests = new Manifest(Web($"{nowhere}/wl-test/busybox:1", policy: null));
        var runId = TestRuntime.NextRunId();

        var up = await UpAsync(store, manifests, runId);

        WaylayCli.AssertRefused(up, 2, $"pod default/web (Pod/web): container web: ErrImagePull: pulling image \"{nowhere}/wl-test/busybox:1\" from {nowhere} failed:");
        Assert.Contains("connection refused", up.StandardError, StringComparison.Ordinal);
        Assert.Contains($"start the registry at {nowhere} or push the image there, or put the image in the store with: waylay image load FILE (an OCI archive) or waylay image pull {nowhere}/wl-test/busybox:1", up.StandardError, StringComparison.Ordinal);
        await AssertNothingMadeAsync(runId, store);
    }

    [RegistryFact]
    public async Task Always_RefreshesFromAnAnsweringRegistry_KeepsAPresentPinnedDigest_AndKeepsAStoredImageWithAWarningWhenTheRegistryIsGone()
    {
        using var store = new ImagePullTests.TempStore();
        await store.Images.PullAsync(registry.Busybox, Waylay.Node.Images.Store.RegistryOptions.Default, CancellationToken.None);
        var said = new List<string>();

        // Always, the registry answering: pulled again although stored.
        using (var always = new Manifest(Web(registry.Busybox, policy: "Always")))
        {
            await MeshPlan.CreateAsync(Options(always, store), said.Add, CancellationToken.None);
        }

        Assert.StartsWith($"pulled {registry.Busybox}@{registry.BusyboxDigest}", Assert.Single(said), StringComparison.Ordinal);

        // Pinned by a digest the store has: its content cannot change, so nothing is asked.
        said.Clear();
        using (var pinned = new Manifest(Web($"{registry.Host}/wl-test/busybox@{registry.BusyboxDigest}", policy: "Always")))
        {
            await MeshPlan.CreateAsync(Options(pinned, store), said.Add, CancellationToken.None);
        }

        Assert.Empty(said);

        // No tag: Always by default. Its registry stops: the stored image runs, and a warning says why.
        string reference;
        var gone = new TestRegistry();
        try
        {
            await gone.InitializeAsync();
            reference = $"{gone.Host}/wl-test/busybox";
            await gone.PushAsync(await OciTestImages.BusyboxArchiveAsync(), OciTestImages.AppReference, reference + ":latest");
            await store.Images.PullAsync(reference, Waylay.Node.Images.Store.RegistryOptions.Default, CancellationToken.None);
        }
        finally
        {
            await gone.DisposeAsync();
        }

        using var latest = new Manifest(Web(reference, policy: null));
        var plan = await MeshPlan.CreateAsync(Options(latest, store), said.Add, CancellationToken.None);

        var warning = Assert.Single(said);
        Assert.StartsWith($"warning: pod default/web (Pod/web): container web: image \"{reference}\" has imagePullPolicy Always, but pulling image \"{reference}:latest\"", warning, StringComparison.Ordinal);
        Assert.Contains("connection refused", warning, StringComparison.Ordinal);
        Assert.Contains($"running the one in the image store ({registry.BusyboxDigest})", warning, StringComparison.Ordinal);
        Assert.Equal(["/bin/busybox", "httpd", "-f", "-p", "8080", "-h", "/www"], Assert.Single(plan.Pods).Pod.Containers.Single().Image.Argv);
    }

    /// <summary>No run state, no namespace or link of the run, nothing in the store.</summary>
    private static async Task AssertNothingMadeAsync(string runId, ImagePullTests.TempStore store)
    {
        Assert.False(Directory.Exists(Path.Combine("/run/waylay", runId)));
        Assert.Empty(await TestRuntime.LeftoversAsync(runId, Path.Combine("/run/waylay", runId)));
        Assert.Empty(store.Images.List());
    }

    private static UpOptions Options(Manifest manifests, ImagePullTests.TempStore store) =>
        new() { Paths = [manifests.File], RunId = TestRuntime.NextRunId(), Runtime = ContainerRuntimeKind.Oci, ImageStore = store.Path };

    /// <summary>The real CLI's <c>waylay up --runtime oci</c>, its store given by WAYLAY_IMAGE_STORE.</summary>
    private static Task<ExecResult> UpAsync(ImagePullTests.TempStore store, Manifest manifests, string runId) =>
        Exec.RunAsync("env", [$"WAYLAY_IMAGE_STORE={store.Path}", WaylayCli.Path, "up", "--runtime", "oci", "--run", runId, manifests.File]);

    private static string Web(string image, string? policy) => $$$"""
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: site}
        data: {index.html: "pulled from a registry"}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: web}
        spec:
          selector: {app: web}
          ports: [{name: http, port: 80, targetPort: 8080}]
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: web, labels: {app: web}, annotations: {sidecar.istio.io/inject: "false"}}
        spec:
          containers:
          - name: web
            image: "{{{image}}}"
            {{{(policy is null ? "" : "imagePullPolicy: " + policy)}}}
            args: [httpd, -f, -p, "8080", -h, /www]
            ports: [{containerPort: 8080}]
            readinessProbe: {httpGet: {path: /index.html, port: 8080}, periodSeconds: 1}
            volumeMounts: [{name: site, mountPath: /www}]
          volumes: [{name: site, configMap: {name: site}}]
        """;

    /// <summary>A manifest file of the test's own.</summary>
    private sealed class Manifest : IDisposable
    {
        private readonly string _directory = Directory.CreateTempSubdirectory(RunId.Next("pull")).FullName;

        public Manifest(string yaml)
        {
            File = Path.Combine(_directory, "web.yaml");
            System.IO.File.WriteAllText(File, yaml);
        }

        public string File { get; }

        public void Dispose() => Directory.Delete(_directory, recursive: true);
    }
}
