using Waylay.Linux;
using Waylay.Node;
using Waylay.Node.State;
using Waylay.Node.Up;
using Waylay.TestKit;

namespace Waylay.Diagnostics.Tests;

/// <summary>
/// A running mesh of two injected Bookinfo pods, brought up in this process as <c>waylay up</c> would (MeshRun):
/// <c>details</c> (the callee, Service details:9080) and <c>ratings</c> (the caller, Service ratings:9080), whose
/// capture leaves outbound port 15021 and the range 10.96.0.200/32 alone (the excluded-port and excluded-CIDR cases:
/// Service details-bypass has that ClusterIP); and Istio's ingress gateway, with a Gateway and
/// a VirtualService that let <c>GET /details/0</c> in to details (the experiment's source 1). Torn down, with everything it made, at the end.
/// </summary>
public sealed class TwoPodMesh : IAsyncLifetime
{
    internal const string Manifests = """
        apiVersion: v1
        kind: Service
        metadata: {name: details}
        spec:
          selector: {app: details}
          ports: [{name: http, port: 9080, targetPort: 9080}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: ratings}
        spec:
          selector: {app: ratings}
          ports: [{name: http, port: 9080, targetPort: 9080}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: details-bypass}
        spec:
          clusterIP: 10.96.0.200
          selector: {app: details}
          ports: [{name: http, port: 9080, targetPort: 9080}]
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: details-v1}
        spec:
          selector: {matchLabels: {app: details}}
          template:
            metadata: {labels: {app: details, version: v1}}
            spec:
              containers:
              - name: details
                image: docker.io/istio/examples-bookinfo-details-v1:1.20.3
                ports: [{containerPort: 9080}]
                readinessProbe: {tcpSocket: {port: 9080}, periodSeconds: 1}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: ratings-v1}
        spec:
          selector: {matchLabels: {app: ratings}}
          template:
            metadata:
              labels: {app: ratings, version: v1}
              annotations: {traffic.sidecar.istio.io/excludeOutboundPorts: "15021", traffic.sidecar.istio.io/excludeOutboundIPRanges: "10.96.0.200/32"}
            spec:
              containers:
              - name: ratings
                image: docker.io/istio/examples-bookinfo-ratings-v1:1.20.3
                ports: [{containerPort: 9080}]
                securityContext: {runAsUser: 1000}
                readinessProbe: {tcpSocket: {port: 9080}, periodSeconds: 1}
        ---
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: {name: details-gateway}
        spec:
          selector: {istio: ingressgateway}
          servers: [{port: {number: 8080, name: http, protocol: HTTP}, hosts: ["*"]}]
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: details}
        spec:
          hosts: ["*"]
          gateways: [details-gateway]
          http:
          - match: [{uri: {exact: /details/0}}]
            route: [{destination: {host: details, port: {number: 9080}}}]
        """;

    private MeshRun? _run;
    private string? _directory;

    public string RunId { get; } = Waylay.TestKit.RunId.Value + "dg";

    public string StateDirectory => Path.Combine(PodLookup.DefaultStateRoot, RunId);

    internal RunPod Pod(string name) => PodLookup.Find(StateDirectory, name);

    public async Task InitializeAsync()
    {
        if (NetnsSupport.SkipReason is not null)
        {
            return; // the tests skip themselves ([NetnsFact]) with the reason
        }

        // A test host that dies mid-run still removes the mesh, from its state directory alone.
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            if (Directory.Exists(StateDirectory))
            {
                NodeRuntime.TeardownAsync(StateDirectory, null, CancellationToken.None).GetAwaiter().GetResult();
            }
        };
        _directory = Directory.CreateTempSubdirectory(Waylay.TestKit.RunId.Next("dg")).FullName;
        var file = Path.Combine(_directory, "mesh.yaml");
        await File.WriteAllTextAsync(file, Manifests);
        // With the control plane, as `waylay up` runs: every sidecar routes the mesh's Services itself.
        var options = new UpOptions { Paths = [file], RunId = RunId };
        _run = MeshRun.Create(MeshPlan.Create(options), options, TextWriter.Null);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await _run.StartAsync(timeout.Token);
            await EndpointsPushedAsync(timeout.Token);
        }
        catch
        {
            await DisposeAsync(); // a fixture that failed to start is not disposed by xunit: leave nothing behind
            throw;
        }
    }

    /// <summary>
    /// Up returns when every pod is ready; the control plane pushes the endpoints that readiness made a moment later.
    /// The tests look at connections through the sidecars, so they start once each sidecar holds the other pod healthy.
    /// </summary>
    private async Task EndpointsPushedAsync(CancellationToken cancellationToken)
    {
        (string From, string To)[] pairs = [("ratings", "details"), ("details", "ratings")];
        foreach (var (from, to) in pairs)
        {
            var held = await Waylay.Diagnostics.Proxy.ProxyEndpoints.WaitHealthyAsync(
                Pod(from), new System.Net.IPEndPoint(Pod(to).Address!, 9080), TimeSpan.FromMinutes(1), TimeProvider.System, cancellationToken);
            Assert.True(held, $"{from}'s sidecar never held {to}'s endpoint healthy");
        }
    }

    public async Task DisposeAsync()
    {
        if (_run is not null)
        {
            await _run.DisposeAsync();
            _run = null;
        }

        if (Directory.Exists(StateDirectory))
        {
            await NodeRuntime.TeardownAsync(StateDirectory, null, CancellationToken.None);
        }

        if (_directory is not null && Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    /// <summary>Runs a command in a pod's network namespace (the tests' own changes: drift, and nothing else).</summary>
    internal static async Task<ExecResult> InPodAsync(RunPod pod, params string[] command) =>
        await Exec.RunAsync("nsenter", ["--net=" + pod.NetnsPath, "--", .. command]);
}
