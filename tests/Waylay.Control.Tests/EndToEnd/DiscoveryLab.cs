using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Grpc.Net.Client;
using Waylay.Discovery.V1;
using Waylay.TestKit;

namespace Waylay.Control.Tests.EndToEnd;

/// <summary>
/// A sidecar that knows nothing from disk, and the real control plane it learns from:
/// <code>
///   pod 10.244.1.2 (capture + waylay proxy --discovery 10.244.1.1:15010) ═veth═ peer 10.244.1.1:
///       waylay control -f DIR (15010, debug 15014); reviews v1 10.244.1.11:9080, v2 .12, v3 .13
///   app ─GET http://reviews:9080/ (10.96.0.10)─► :15001 sidecar ─► the endpoint the streamed rules pick
/// </code>
/// The reviews Service (with a selector) and the rules are manifests in the control plane's directory; the endpoint
/// pods are registered through the Registration service, as a runtime does.
/// </summary>
internal sealed class DiscoveryLab : IAsyncDisposable
{
    public const ushort Port = 9080;
    public static readonly IReadOnlyDictionary<string, IPAddress> Hosts = new Dictionary<string, IPAddress> { ["reviews"] = IPAddress.Parse("10.96.0.10") };

    private DiscoveryLab(TestPod pod, TestPod peer, TestControlPlane control, List<TestHttpServer> endpoints)
    {
        Pod = pod;
        Peer = peer;
        Control = control;
        Endpoints = endpoints;
    }

    public TestPod Pod { get; }

    public TestPod Peer { get; }

    public TestControlPlane Control { get; }

    public List<TestHttpServer> Endpoints { get; }

    public TestProxy Proxy => Pod.Proxy!;

    public static Uri Url(string path) => new($"http://reviews:{Port}{path}");

    public static string Service(string name = "reviews", string ip = "10.96.0.10", string app = "reviews") => $$"""
        apiVersion: v1
        kind: Service
        metadata: {name: {{name}}, namespace: default}
        spec:
          clusterIP: {{ip}}
          selector: {app: {{app}}}
          ports: [{name: http, port: 9080}]

        """;

    public static string Subsets() => """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: reviews, namespace: default}
        spec:
          host: reviews
          subsets:
          - {name: v1, labels: {version: v1}}
          - {name: v2, labels: {version: v2}}
          - {name: v3, labels: {version: v3}}

        """;

    public static string RouteAllTo(string subset) => $$"""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: reviews, namespace: default}
        spec:
          hosts: [reviews]
          http:
          - route:
            - destination: {host: reviews, subset: {{subset}}}

        """;

    /// <summary>The three endpoint pods as manifests (what a restarted control plane still has, unlike registrations).</summary>
    public static string Pods() => string.Concat(Enumerable.Range(1, 3).Select(n => $$$"""
        apiVersion: v1
        kind: Pod
        metadata: {name: reviews-v{{{n}}}, namespace: default, labels: {app: reviews, version: v{{{n}}}}}
        spec: {containers: [{name: reviews, image: reviews}]}
        status: {podIP: 10.244.1.{{{10 + n}}}, conditions: [{type: Ready, status: "True"}]}
        ---

        """));

    /// <param name="registerPods">Report the endpoint pods through the Registration service; false writes them as manifests.</param>
    public static async Task<DiscoveryLab> StartAsync(string subset, bool registerPods = true)
    {
        var (pod, peer) = await TestPod.CreatePairAsync("10.244.1.2/24", "10.244.1.1/24");
        TestControlPlane? control = null;
        var endpoints = new List<TestHttpServer>();
        try
        {
            for (var n = 1; n <= 3; n++)
            {
                await peer.Namespace.AddAddressAsync("eth0", $"10.244.1.{10 + n}/32");
                endpoints.Add(await TestHttpServer.StartAsync(peer.Namespace, new IPEndPoint(IPAddress.Parse($"10.244.1.{10 + n}"), Port), $"v{n}"));
            }

            var manifests = new Dictionary<string, string>
            {
                ["service.yaml"] = Service(),
                ["destination-rule.yaml"] = Subsets(),
                ["virtual-service.yaml"] = RouteAllTo(subset),
            };
            if (!registerPods)
            {
                manifests["pods.yaml"] = Pods();
            }

            control = await TestControlPlane.StartAsync(peer.Namespace, peer.Ip, manifests);
            var lab = new DiscoveryLab(pod, peer, control, endpoints);
            for (var n = 1; registerPods && n <= 3; n++)
            {
                await lab.RegisterAsync($"reviews-v{n}", $"10.244.1.{10 + n}", $"v{n}", PodEvent.Types.Phase.Ready);
            }

            // Registrations are pushed after the debounce: start the proxy once the control plane serves all three.
            await Poll.UntilAsync(async () => (await control.GetAsync("/debug/configz")).Body.Contains("10.244.1.13", StringComparison.Ordinal),
                "the control plane to serve the registered endpoints", async () => (await control.GetAsync("/debug/configz")).Body);
            await pod.CaptureAsync(TestPod.StandardCapture);
            await pod.StartProxyAsync("--discovery", control.Address);
            // Started means listening; ready (its first config) and the control plane's current version are waited for here.
            await lab.UntilConfiguredAsync();
            return lab;
        }
        catch
        {
            endpoints.ForEach(e => e.DisposeAsync().AsTask().Wait());
            if (control is not null)
            {
                await control.DisposeAsync();
            }

            await pod.DisposeAsync();
            await peer.DisposeAsync();
            throw;
        }
    }

    /// <summary>Reports a pod through the control plane's Registration service (gRPC, from inside its namespace).</summary>
    public async Task RegisterAsync(string name, string ip, string version, PodEvent.Types.Phase phase, string app = "reviews")
    {
        using var channel = GrpcChannel.ForAddress($"http://{Control.Address}", new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                ConnectCallback = async (context, ct) =>
                {
                    var socket = Peer.Namespace.Socket(AddressFamily.InterNetwork);
                    await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, TestControlPlane.Port), ct);
                    return new NetworkStream(socket, ownsSocket: true);
                },
            },
        });
        var report = new PodEvent { Phase = phase, Name = name, Namespace = "default", ServiceAccount = "bookinfo-reviews", Node = "test" };
        report.Ips.Add(ip);
        report.Labels.Add(new Dictionary<string, string> { ["app"] = app, ["version"] = version });
        await new Registration.RegistrationClient(channel).ReportAsync(report);
    }

    public HttpClient Client(int maxConnections = int.MaxValue) => TestHttpClient.Create(Pod.Namespace, Hosts, maxConnections: maxConnections);

    /// <summary>The distinct versions that answered <paramref name="count"/> requests on a connection opened for them.</summary>
    public async Task<IReadOnlyCollection<string>> FreshConnectionVersionsAsync(int count = 20)
    {
        using var client = Client(maxConnections: 1);
        var versions = new SortedSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            versions.Add(await client.GetStringAsync(Url("/probe")));
        }

        return versions;
    }

    /// <summary>The proxy's /config_dump "discovery" object.</summary>
    public async Task<JsonElement> ProxyDiscoveryAsync()
    {
        var (_, body) = await Proxy.GetAsync("/config_dump");
        return JsonDocument.Parse(body).RootElement.GetProperty("discovery").Clone();
    }

    /// <summary>Until the proxy has applied a complete config from the stream and runs the control plane's current version.</summary>
    public Task UntilConfiguredAsync() => Poll.UntilAsync(
        async () =>
        {
            var discovery = await ProxyDiscoveryAsync();
            var current = (await SynczAsync()).GetProperty("version").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture);
            return discovery.GetProperty("versions").EnumerateObject().Count() == 5 && discovery.GetProperty("runningVersion").GetString() == current;
        },
        "the proxy to run the control plane's current version", async () => $"{await ProxyDiscoveryAsync()}; proxy: {Proxy.Output}; control: {Control.Output}");

    public async Task<JsonElement> SynczAsync() => JsonDocument.Parse(await Control.SynczAsync()).RootElement.Clone();

    public async ValueTask DisposeAsync()
    {
        foreach (var endpoint in Endpoints)
        {
            await endpoint.DisposeAsync();
        }

        await Control.DisposeAsync();
        await Pod.DisposeAsync();
        await Peer.DisposeAsync();
    }
}
