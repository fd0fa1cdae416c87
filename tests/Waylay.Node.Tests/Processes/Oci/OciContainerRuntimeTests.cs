using System.Diagnostics;
using Waylay.Node.Kubelet;
using Waylay.Node.Processes;
using Waylay.Node.State;
using Waylay.Node.Up;
using Waylay.TestKit;

namespace Waylay.Node.Tests.Processes.Oci;

/// <summary>
/// <c>waylay up --runtime oci</c> for real: an injected pod whose three containers run from images through runc (the
/// waylay image's init container capturing with NET_ADMIN/NET_RAW, its proxy as uid 1337, a busybox app as uid 1000
/// on a read-only root), reaching ready and serving through its sidecar; exec, exit codes and teardown.
/// </summary>
[Collection(Waylay.Node.Tests.Images.Build.ImageBuilds.Name)]
public sealed class OciContainerRuntimeTests(OciTestImages images) : IClassFixture<OciTestImages>
{
    private const string Web = """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: site}
        data: {index.html: "served from an image"}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: web}
        spec:
          selector: {app: web}
          ports: [{name: http, port: 80, targetPort: 8080}]
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          replicas: 1
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec:
              containers:
              - name: web
                image: localhost/wl-test/busybox:1
                args: [httpd, -f, -v, -p, "8080", -h, /www]
                ports: [{containerPort: 8080}]
                env: [{name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}]
                securityContext: {runAsUser: 1000, runAsGroup: 1000, readOnlyRootFilesystem: true}
                readinessProbe: {httpGet: {path: /index.html, port: 8080}, periodSeconds: 1}
                volumeMounts: [{name: site, mountPath: /www}]
              volumes: [{name: site, configMap: {name: site}}]
        """;

    [RuncFact]
    public async Task InjectedPod_FromImages_CapturesRunsTheProxyAs1337_BecomesReady_ServesThroughItsSidecar_AndLeavesNothing()
    {
        var directory = Directory.CreateTempSubdirectory(RunId.Next("oci")).FullName;
        try
        {
            var file = Path.Combine(directory, "web.yaml");
            await File.WriteAllTextAsync(file, Web);
            var options = new UpOptions { Paths = [file], RunId = TestRuntime.NextRunId(), Runtime = ContainerRuntimeKind.Oci, ImageStore = images.Store };
            var plan = MeshPlan.Create(options);
            var web = plan.Pods.Single(p => p.Pod.Source.Workload == "Deployment/web").Pod;
            Assert.Equal(ContainerRuntimeKind.Oci, web.Runtime);
            // The control plane waylay up adds for the sidecar runs from the waylay image too.
            var control = Assert.Single(plan.Pods, p => p.Namespace == ControlPlane.Namespace).Pod;
            Assert.Equal(ContainerRuntimeKind.Oci, control.Runtime);
            // Kubernetes' rule over the image's config: args replace Cmd, the Entrypoint stays; the image's Env and WorkingDir apply.
            var app = web.ContainerSpecFor(web.Containers.Single(c => c.Name == "web"), new PodFacts(web.Pod, "node1", null, null));
            Assert.Equal(["/bin/busybox", "httpd", "-f", "-v", "-p", "8080", "-h", "/www"], app.Command);
            Assert.Equal("from the image", app.Environment["GREETING"]);
            Assert.Equal("/tmp", app.WorkingDirectory);

            var run = MeshRun.Create(plan, options, new StringWriter());
            try
            {
                using (var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4)))
                {
                    await run.StartAsync(timeout.Token);
                }

                var pod = run.Runtime.Pods.Single(p => p.Name == web.Name);
                // The init container ran capture from the image, with its two capabilities: Istio's chains in the pod.
                var rules = await TestRuntime.RunAsync("ip", "netns", "exec", pod.Namespace, "iptables-save", "-t", "nat");
                Assert.Contains("-A ISTIO_REDIRECT -p tcp -j REDIRECT --to-ports 15001", rules, StringComparison.Ordinal);
                Assert.Equal(0, pod.Container("waylay-init").Status.LastExitCode);

                // Each container is its own runc container in the pod's network namespace, as the securityContext says.
                var processes = await ProcessesAsync(pod.Namespace);
                Assert.Contains(("waylay", "1337"), processes); // the image runs waylay-proxy by its link, waylay
                Assert.Contains(("busybox", "1000"), processes);
                // The control plane: the image's waylay hands `control …` to waylay-control, as the install manifests' uid.
                var controlPod = run.Runtime.Pods.Single(p => p.Name == control.Name);
                Assert.Contains(("waylay-control", "65532"), await ProcessesAsync(controlPod.Namespace));

                // Served through the sidecar: the forwarder → ClusterIP → the pod, captured to the proxy's inbound.
                using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
                using var response = await http.GetAsync(new Uri(new Uri(run.Url!), "/index.html"));
                var body = await response.Content.ReadAsStringAsync();
                Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} {response.Headers} {body}\napp log: {File.ReadAllText(options.StateDirectory + $"/pods/{web.Name}/logs/web.log")}");
                Assert.Equal("served from an image", body);
                var metrics = await TestRuntime.GetAsync(Waylay.Node.Namespaces.NetworkNamespaces.PathOf(run.Runtime.Names.NodeNamespace(1)), pod.Address, 15090, "/stats/prometheus");
                Assert.Contains("reporter=\"destination\"", metrics, StringComparison.Ordinal);

                // waylay exec joins the container (runc exec): its uid, its env, its read-only root.
                var found = PodLookup.Find(options.StateDirectory, web.Name);
                Assert.Equal("1000:1000 from the image web", (await ExecAsync(found, "web", "/bin/busybox", "sh", "-c", "echo $(/bin/busybox id -u):$(/bin/busybox id -g) $GREETING ${POD_NAME%%-*}")).Output);
                var write = await ExecAsync(found, "web", "/bin/busybox", "touch", "/written");
                Assert.NotEqual(0, write.ExitCode);
                Assert.Equal(0, (await ExecAsync(found, "waylay-proxy", "waylay", "proxy", "wait-ready")).ExitCode);
                var controlExec = await ExecAsync(PodLookup.Find(options.StateDirectory, control.Name), "control", "waylay-control", "control", "--help");
                Assert.Equal(0, controlExec.ExitCode);
                Assert.Contains("--in-cluster", controlExec.Output, StringComparison.Ordinal);
            }
            finally
            {
                await run.DisposeAsync();
            }

            Assert.Empty(await TestRuntime.LeftoversAsync(options.RunId, options.StateDirectory));
            var runc = await Waylay.Linux.Exec.RunAsync("runc", ["list", "-q"], null);
            Assert.DoesNotContain($"wl-{options.RunId}-", runc.StandardOutput, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [RuncFact]
    public async Task ContainerFromAnImage_ThatExits_IsRestartedWithBackoff_ItsExitCodeAndLogKept_AndLeavesNothing()
    {
        var set = Waylay.Node.Manifests.ManifestSet.Read([new Waylay.Inject.Manifests.ManifestInput("crash.yaml", """
            apiVersion: v1
            kind: Pod
            metadata: {name: crash, annotations: {sidecar.istio.io/inject: "false"}}
            spec:
              containers:
              - {name: crash, image: "localhost/wl-test/busybox:1", args: [sh, -c, "echo starting in $PWD; exit 3"]}
            """)], Waylay.Inject.Values.InjectionValues.Default);
        var kubelet = PodConverter.Convert(set.Pods.Single(), set, images.Images, "node0", "10.96.0.10") with { Runtime = ContainerRuntimeKind.Oci };
        var runtime = TestRuntime.Create(backoff: new RestartBackoff(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(200), TimeSpan.FromMinutes(10)));
        try
        {
            await using var worker = await PodWorker.StartAsync(runtime, kubelet, 0, TimeProvider.System, null, CancellationToken.None);
            var container = worker.Sandbox.Container("crash");
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            var restarted = await container.WaitForAsync(s => s.RestartCount >= 2 && s.LastExitCode is not null, timeout.Token);

            Assert.Equal(3, restarted.LastExitCode);
            var log = await File.ReadAllLinesAsync(container.LogFile);
            Assert.True(log.Count(l => l == "starting in /tmp") >= 2, string.Join("\n", log)); // the image's WorkingDir; every run appends
        }
        finally
        {
            await runtime.TeardownAsync(CancellationToken.None);
        }

        Assert.Empty(await TestRuntime.LeftoversAsync(runtime.Options.RunId, runtime.State.Directory));
    }

    [RuncFact]
    public async Task RuncKilled_LeavesItsContainerBehind_TheRestartDeletesItAndRunsAFreshOne_AndTeardownLeavesNothing()
    {
        var set = Waylay.Node.Manifests.ManifestSet.Read([new Waylay.Inject.Manifests.ManifestInput("orphan.yaml", """
            apiVersion: v1
            kind: Pod
            metadata: {name: orphan, annotations: {sidecar.istio.io/inject: "false"}}
            spec:
              containers:
              - {name: web, image: "localhost/wl-test/busybox:1", args: [httpd, -f, -p, "8080"]}
            """)], Waylay.Inject.Values.InjectionValues.Default);
        var kubelet = PodConverter.Convert(set.Pods.Single(), set, images.Images, "node0", "10.96.0.10") with { Runtime = ContainerRuntimeKind.Oci };
        var runtime = TestRuntime.Create(backoff: new RestartBackoff(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(200), TimeSpan.FromMinutes(10)));
        try
        {
            await using var worker = await PodWorker.StartAsync(runtime, kubelet, 0, TimeProvider.System, null, CancellationToken.None);
            var container = worker.Sandbox.Container("web");
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            while (!(await ProcessesAsync(worker.Sandbox.Namespace)).Any(p => p.Comm == "busybox"))
            {
                await Task.Delay(20, timeout.Token);
            }

            // runc dies, not the container: its process keeps running in the pod, its runc state stays.
            var runc = container.Status.Process!.Value;
            Assert.True(runc.Signal(Waylay.Linux.Signal.Sigkill));
            var restarted = await container.WaitForAsync(s => s.RestartCount >= 1 && s.State == ContainerState.Running, timeout.Token);
            Assert.Equal(137, restarted.LastExitCode);
            while ((await ProcessesAsync(worker.Sandbox.Namespace)).Count(p => p.Comm == "busybox") != 1)
            {
                await Task.Delay(20, timeout.Token); // the orphan deleted (runc delete --force), the fresh one started
            }
        }
        finally
        {
            await runtime.TeardownAsync(CancellationToken.None);
        }

        Assert.Empty(await TestRuntime.LeftoversAsync(runtime.Options.RunId, runtime.State.Directory));
    }

    /// <summary>(comm, uid) of every process in the pod's network namespace.</summary>
    private static async Task<List<(string Comm, string Uid)>> ProcessesAsync(string netns)
    {
        var pids = (await TestRuntime.RunAsync("ip", "netns", "pids", netns)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var processes = new List<(string, string)>();
        foreach (var pid in pids)
        {
            try
            {
                var uid = File.ReadAllLines($"/proc/{pid}/status").Single(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t', StringSplitOptions.RemoveEmptyEntries)[1];
                processes.Add((File.ReadAllText($"/proc/{pid}/comm").Trim(), uid));
            }
            catch (IOException)
            {
                // gone meanwhile
            }
        }

        return processes;
    }

    private static async Task<(int ExitCode, string Output)> ExecAsync(RunPod found, string container, params string[] command)
    {
        var start = PodExec.Prepare(found, container, command);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, output.Trim());
    }
}
