using System.Net;
using System.Net.Http;
using Waylay.Node.Up;
using Waylay.TestKit;

namespace Waylay.Node.Tests.Up;

/// <summary>
/// <c>waylay up</c> with a Gateway: Istio's ingress gateway pod runs <c>waylay proxy --gateway</c> and the printed URL
/// goes 127.0.0.1 → forwarder → the gateway's Service (80 → 8080) → the gateway → the VirtualService's destination.
/// </summary>
public sealed class IngressGatewayTests
{
    // MeshRunTests' details (two replicas, not injected) and a Gateway with its VirtualService for /details.
    private const string Manifests = MeshRunTests.Details + "\n" + """
        ---
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: {name: details-gateway}
        spec:
          selector: {istio: ingressgateway}
          servers:
          - port: {number: 8080, name: http, protocol: HTTP}
            hosts: ["*"]
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: details}
        spec:
          hosts: ["*"]
          gateways: [details-gateway]
          http:
          - match: [{uri: {prefix: /details}}]
            route: [{destination: {host: details, port: {number: 80}}}]
        """;

    [Fact]
    public void Plan_AddsIstiosIngressGateway_ExposesItsService_AndKeepsOnlyTheRulesAGatewayApplies()
    {
        using var directory = new TempDirectory();
        var file = Path.Combine(directory.Path, "app.yaml");
        File.WriteAllText(file, Manifests + "\n---\napiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: mesh-only}\nspec:\n  hosts: [details]\n  http: [{route: [{destination: {host: details}}]}]\n");

        var plan = MeshPlan.Create(new UpOptions { Paths = [file], RunId = "plan" });

        var gateway = Assert.Single(plan.Pods, p => p.Namespace == IngressGateway.Namespace);
        Assert.Equal("ingressgateway", gateway.Labels["istio"]);
        Assert.Equal("istio-ingressgateway", gateway.Labels["app"]);
        Assert.Equal((IngressGateway.Name, 80), (plan.Exposed!.Name, (int)plan.ExposedPort!.Port));
        Assert.Contains("details-gateway", plan.IngressRules, StringComparison.Ordinal);
        Assert.DoesNotContain("mesh-only", plan.IngressRules, StringComparison.Ordinal);
        // details is not injected: no sidecar, so no control plane, and the note says nothing applies mesh-only.
        Assert.Equal("the ingress gateway routes with Gateway/details-gateway, VirtualService/details; "
            + "routing rules read but applied by no sidecar: VirtualService/mesh-only (no pod has a sidecar, so no control plane runs)", MeshRun.RoutingNote(plan));
        Assert.DoesNotContain(plan.Pods, p => p.Namespace == ControlPlane.Namespace);
    }

    [Fact]
    public void Plan_WithoutAGateway_RunsNoIngressGateway()
    {
        using var directory = new TempDirectory();
        var file = Path.Combine(directory.Path, "app.yaml");
        File.WriteAllText(file, Manifests[..Manifests.IndexOf("---\napiVersion: networking", StringComparison.Ordinal)]);

        var plan = MeshPlan.Create(new UpOptions { Paths = [file], RunId = "plan" });

        Assert.DoesNotContain(plan.Pods, p => p.Namespace == IngressGateway.Namespace);
        Assert.Null(plan.IngressRules);
        Assert.Equal("details", plan.Exposed!.Name);
    }

    [Fact]
    public void Plan_RefusesGatewayRulesIstioWouldRefuse_BeforeAnythingIsMade()
    {
        using var directory = new TempDirectory();
        var file = Path.Combine(directory.Path, "app.yaml");
        File.WriteAllText(file, Manifests.Replace("protocol: HTTP}", "protocol: HTTPS}", StringComparison.Ordinal));

        var error = Assert.Throws<UpInputException>(() => MeshPlan.Create(new UpOptions { Paths = [file], RunId = "plan" }));
        Assert.Contains("Gateway details-gateway: spec.servers[0].port.protocol 'HTTPS' is not supported by Waylay", error.Message, StringComparison.Ordinal);
    }

    [NetnsFact]
    public async Task Up_ThePrintedUrlIsServedThroughTheIngressGateway_WhichLogsEachRequest()
    {
        using var directory = new TempDirectory();
        var file = Path.Combine(directory.Path, "app.yaml");
        await File.WriteAllTextAsync(file, Manifests);
        var options = new UpOptions { Paths = [file], RunId = TestRuntime.NextRunId() };
        var progress = new StringWriter();
        var run = MeshRun.Create(MeshPlan.Create(options), options, progress);
        try
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
                await run.StartAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                var logs = string.Join("\n", run.Pods.Select(p => (p.Name, Path: run.Runtime.State.LogFile(p.Name, p.Namespace == IngressGateway.Namespace ? "istio-proxy" : "details")))
                    .Select(l => $"{l.Name}: {(File.Exists(l.Path) ? File.ReadAllText(l.Path) : "(no log)")}"));
                Assert.Fail($"not ready; progress:\n{progress}\nlogs:\n{logs}");
            }

            var gateway = Assert.Single(run.Pods, p => p.Namespace == IngressGateway.Namespace);
            Assert.True(gateway.Ready);
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
            var url = new Uri(run.Url!);
            Assert.Equal("/", url.AbsolutePath);
            // The gateway reloads its mesh file within a second of the last endpoint change: a 503 (no healthy
            // upstream yet) may come first, as from Istio's gateway before its config arrives.
            var (status, body) = (HttpStatusCode.ServiceUnavailable, "");
            for (var i = 0; i < 50 && status != HttpStatusCode.OK; i++)
            {
                using var details = await http.GetAsync(new Uri(url, "/details/0"));
                (status, body) = (details.StatusCode, await details.Content.ReadAsStringAsync());
                if (status != HttpStatusCode.OK)
                {
                    await Task.Delay(100);
                }
            }

            var gatewayLog = run.Runtime.State.LogFile(gateway.Name, "istio-proxy");
            var meshFile = Path.Combine(run.Runtime.State.VolumeDirectory(gateway.Name, IngressGateway.ConfigVolume), "mesh.yaml");
            Assert.True(status == HttpStatusCode.OK, $"{status} {body}\ngateway log:\n{(File.Exists(gatewayLog) ? File.ReadAllText(gatewayLog) : "-")}\nmesh.yaml:\n{(File.Exists(meshFile) ? File.ReadAllText(meshFile) : "-")}");
            Assert.Contains("\"id\":0", body, StringComparison.Ordinal);

            using (var other = await http.GetAsync(new Uri(url, "/productpage")))
            {
                Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
            }

            // The gateway's access log (its container's stdout): the routed request and the 404 with Envoy's NR flag.
            var log = run.Runtime.State.LogFile(gateway.Name, "istio-proxy");
            string text = "";
            for (var i = 0; i < 100 && !(text.Contains("/details/0", StringComparison.Ordinal) && text.Contains("/productpage", StringComparison.Ordinal)); i++)
            {
                await Task.Delay(100);
                text = File.Exists(log) ? await File.ReadAllTextAsync(log) : "";
            }

            Assert.Contains("\"GET /details/0 HTTP/1.1\" 200 -", text, StringComparison.Ordinal);
            Assert.Contains("\"GET /productpage HTTP/1.1\" 404 NR", text, StringComparison.Ordinal);
            Assert.Contains("outbound|80||details.default.svc.cluster.local", text, StringComparison.Ordinal);
        }
        finally
        {
            await run.DisposeAsync();
        }

        Assert.Empty(await TestRuntime.LeftoversAsync(options.RunId, options.StateDirectory));
    }

    private sealed class TempDirectory : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory(RunId.Next("gateway")).FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
