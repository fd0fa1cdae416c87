using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Waylay.Inject.Manifests;
using Waylay.Inject.Values;
using Waylay.Node.Images;
using Waylay.Node.Kubelet;
using Waylay.Node.Manifests;
using Waylay.Node.Processes;
using Waylay.TestKit;

namespace Waylay.Node.Tests.Kubelet;

public sealed partial class PodWorkerTests
{
    // Bookinfo's details Deployment as bookinfo.yaml has it, plus a readiness probe (Bookinfo's manifests have none):
    // injected, the probe goes to the sidecar's health port and the sidecar asks the app.
    private const string Details = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: details-v1
          labels: {app: details, version: v1}
        spec:
          replicas: 1
          selector: {matchLabels: {app: details, version: v1}}
          template:
            metadata:
              labels: {app: details, version: v1}
            spec:
              serviceAccountName: bookinfo-details
              containers:
              - name: details
                image: docker.io/istio/examples-bookinfo-details-v1:1.20.3
                ports: [{containerPort: 9080}]
                securityContext: {runAsUser: 1000}
                readinessProbe:
                  httpGet: {path: /health, port: 9080}
                  periodSeconds: 1
        """;

    [NetnsTheory]
    [InlineData(false)]
    [InlineData(true)] // waylay inject --native-sidecar: the proxy is an init container with restartPolicy: Always
    public async Task InjectedDetails_CapturesInItsPod_RunsTheProxyAs1337_BecomesReadyThroughTheSidecar_AndServesAnotherPod(bool nativeSidecar)
    {
        // No control plane runs here: a sidecar given a discovery address is not ready until its first config (as
        // Istio's), so this one is injected without one and serves as a transparent proxy.
        var set = ManifestSet.Read([new ManifestInput("details.yaml", Details)], InjectionValues.Default with { NativeSidecar = nativeSidecar, DiscoveryAddress = "" });
        var kubelet = PodConverter.Convert(set.Pods.Single(), set, ImageTable.ForThisProgram(), "node0", "10.96.0.10");
        Assert.Equal(nativeSidecar, kubelet.InitContainers.Any(c => c.Name == "waylay-proxy" && c.IsNativeSidecar));
        Assert.Matches("^details-v1-[bcdfghjklmnpqrstvwxz2456789]+-[bcdfghjklmnpqrstvwxz2456789]{5}$", kubelet.Name);
        var rewritten = kubelet.Containers.Single(c => c.Name == "details").Readiness!.HttpGet;
        Assert.Equal("15021", rewritten.Port.Value); // the injected probe: the sidecar's health port, not the app's
        Assert.Equal("/app-health/details/readyz", rewritten.Path);

        var runtime = TestRuntime.Create();
        ProcessIdentity? proxyProcess = null;
        try
        {
            await using var worker = await PodWorker.StartAsync(runtime, kubelet, 0, TimeProvider.System, null, CancellationToken.None);
            var pod = worker.Sandbox;

            // The init container ran waylay capture in the pod: Istio's chains are in the pod's namespace.
            var rules = await TestRuntime.RunAsync("ip", "netns", "exec", pod.Namespace, "iptables-save");
            Assert.Contains(":ISTIO_INBOUND", rules, StringComparison.Ordinal);
            Assert.Contains(":ISTIO_REDIRECT", rules, StringComparison.Ordinal);
            Assert.Contains(":ISTIO_OUTPUT", rules, StringComparison.Ordinal);
            Assert.Equal(ContainerState.Terminated, pod.Container("waylay-init").Status.State);
            Assert.Equal(0, pod.Container("waylay-init").Status.LastExitCode);

            using (var ready = new CancellationTokenSource(TimeSpan.FromSeconds(120)))
            {
                try
                {
                    await worker.WaitUntilReadyAsync(ready.Token);
                }
                catch (OperationCanceledException)
                {
                    Assert.Fail("the pod did not become ready; logs:\n" + string.Join("\n", pod.Containers.Select(c => $"== {c.Name} {c.Status}\n{Tail(c.LogFile)}")));
                }
            }

            Assert.True(worker.Ready);
            proxyProcess = pod.Container("waylay-proxy").Status.Process;
            Assert.Equal("1337", Uid(proxyProcess!.Value.Pid));
            Assert.Equal("1000", Uid(pod.Container("details").Status.Process!.Value.Pid));

            // Another pod on the node reaches details at its pod IP, through the capture rules and the sidecar.
            var client = await runtime.StartPodAsync(TestRuntime.Pod("client", TestRuntime.Container("sleep", "exec sleep infinity")), 0, CancellationToken.None);
            var body = await TestRuntime.GetAsync(client.NamespacePath, pod.Address, 9080, "/details/0");
            var details = JsonNode.Parse(body)!;
            Assert.Equal(0, (int)details["id"]!);
            Assert.False(string.IsNullOrEmpty((string?)details["author"]));
        }
        finally
        {
            await runtime.TeardownAsync(CancellationToken.None);
        }

        Assert.Empty(await TestRuntime.LeftoversAsync(runtime.Options.RunId, runtime.State.Directory));
        Assert.False(proxyProcess?.IsAlive ?? false);
    }

    [NetnsFact]
    public async Task FailingInitContainer_FailsThePodStart_WithItsLogTail_AndLeavesNothing()
    {
        var set = ManifestSet.Read([new ManifestInput("broken.yaml", """
            apiVersion: v1
            kind: Pod
            metadata: {name: broken, annotations: {sidecar.istio.io/inject: "false"}}
            spec:
              initContainers:
              - {name: setup, image: tools, command: [sh, -c, "echo cannot reach the database >&2; exit 3"]}
              containers:
              - {name: app, image: tools, command: [sleep, infinity]}
            """)], InjectionValues.Default);
        var images = new ImageTable(AppContext.BaseDirectory, ImageTableReader.Read("tools: {command: [/bin/sh]}", "images.yaml"));
        var kubelet = PodConverter.Convert(set.Pods.Single(), set, images, "node0", "10.96.0.10");
        var runtime = TestRuntime.Create();
        try
        {
            var error = await Assert.ThrowsAsync<PodStartException>(() => PodWorker.StartAsync(runtime, kubelet, 0, TimeProvider.System, null, CancellationToken.None));

            Assert.Contains("init container setup exited with 3", error.Message, StringComparison.Ordinal);
            Assert.Contains("cannot reach the database", error.Message, StringComparison.Ordinal);
            Assert.Empty(runtime.Pods);
        }
        finally
        {
            await runtime.TeardownAsync(CancellationToken.None);
        }

        Assert.Empty(await TestRuntime.LeftoversAsync(runtime.Options.RunId, runtime.State.Directory));
    }

    [NetnsFact]
    public async Task HostPathVolume_IsRefused_UnlessAllowed_BeforeThePodIsMade()
    {
        var set = ManifestSet.Read([new ManifestInput("host.yaml", """
            apiVersion: v1
            kind: Pod
            metadata: {name: peek, annotations: {sidecar.istio.io/inject: "false"}}
            spec:
              containers:
              - name: app
                image: tools
                command: [sleep, infinity]
                volumeMounts: [{name: etc, mountPath: /mnt/wl-host-etc}]
              volumes:
              - {name: etc, hostPath: {path: /etc}}
            """)], InjectionValues.Default);
        var images = new ImageTable(AppContext.BaseDirectory, ImageTableReader.Read("tools: {command: [/bin/sh]}", "images.yaml"));
        var kubelet = PodConverter.Convert(set.Pods.Single(), set, images, "node0", "10.96.0.10");
        var runtime = TestRuntime.Create();
        try
        {
            var error = await Assert.ThrowsAsync<Waylay.Node.Pods.PodSpecException>(() => PodWorker.StartAsync(runtime, kubelet, 0, TimeProvider.System, null, CancellationToken.None));

            Assert.Contains("hostPath (/etc)", error.Message, StringComparison.Ordinal);
            Assert.False(File.Exists(runtime.State.PodFile("peek")));
        }
        finally
        {
            await runtime.TeardownAsync(CancellationToken.None);
        }

        Assert.Empty(await TestRuntime.LeftoversAsync(runtime.Options.RunId, runtime.State.Directory));
    }

    private static string Uid(int pid) =>
        File.ReadAllLines($"/proc/{pid}/status").Single(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t', StringSplitOptions.RemoveEmptyEntries)[1];

    private static string Tail(string file) => File.Exists(file) ? string.Join("\n", File.ReadLines(file).TakeLast(30)) : "(no log)";
}
