using System.Net;
using System.Text.Json;
using Waylay.TestKit;

namespace Waylay.Control.Tests.EndToEnd;

/// <summary>
/// Istio's scoping through the real control plane and a real sidecar of namespace <c>shop</c>:
/// <code>
///   pod 10.244.1.2 (POD_NAMESPACE=shop, waylay proxy --discovery) ═veth═ peer 10.244.1.1: waylay control -f DIR;
///       payments.pay endpoint 10.244.1.11:9080 ("routed"); the ClusterIP 10.96.0.30:9080 itself ("direct")
///   app ─GET http://payments.pay:9080/─► sidecar ─► in view: the endpoint ("routed"); out of view: passthrough ("direct")
/// </code>
/// With no Sidecar the proxy routes to pay's service; a Sidecar of shop with egress <c>./*</c> takes it out of view
/// and the connection passes through to the address the app dialled (Istio's default ALLOW_ANY, not REGISTRY_ONLY).
/// Then an endpoint change of pay, outside the view, is sent to the proxy not at all (its push counters in syncz).
/// </summary>
public sealed class ScopedDiscoveryTests
{
    private const string Manifests = """
        apiVersion: v1
        kind: Service
        metadata: {name: payments, namespace: pay}
        spec: {clusterIP: 10.96.0.30, selector: {app: payments}, ports: [{name: http, port: 9080}]}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: payments-1, namespace: pay, labels: {app: payments}}
        spec: {containers: [{name: payments, image: payments}]}
        status: {podIP: 10.244.1.11, conditions: [{type: Ready, status: "True"}]}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: ledger, namespace: pay}
        spec: {clusterIP: 10.96.0.31, selector: {app: ledger}, ports: [{name: http, port: 9080}]}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: ledger-1, namespace: pay, labels: {app: ledger}}
        spec: {containers: [{name: ledger, image: ledger}]}
        status: {podIP: 10.244.1.12, conditions: [{type: Ready, status: "False"}]}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: shop}
        spec: {clusterIP: 10.96.0.40, selector: {app: web}, ports: [{name: http, port: 9080}]}

        """;

    private static readonly Dictionary<string, IPAddress> Hosts = new() { ["payments.pay"] = IPAddress.Parse("10.96.0.30") };

    [NetnsFact]
    public async Task SidecarEgressOwnNamespace_PassesOtherNamespacesThrough_AndTheirChangesSendNothing()
    {
        var (pod, peer) = await TestPod.CreatePairAsync("10.244.1.2/24", "10.244.1.1/24");
        await using var podScope = pod;
        await using var peerScope = peer;
        await peer.Namespace.AddAddressAsync("eth0", "10.244.1.11/32");
        await peer.Namespace.AddAddressAsync("eth0", "10.96.0.30/32");
        await using var routed = await TestHttpServer.StartAsync(peer.Namespace, new IPEndPoint(IPAddress.Parse("10.244.1.11"), 9080), "routed");
        await using var direct = await TestHttpServer.StartAsync(peer.Namespace, new IPEndPoint(IPAddress.Parse("10.96.0.30"), 9080), "direct");
        await using var control = await TestControlPlane.StartAsync(peer.Namespace, peer.Ip, new Dictionary<string, string> { ["mesh.yaml"] = Manifests });
        await pod.CaptureAsync(TestPod.StandardCapture);
        var proxy = await TestProxy.StartContainerAsync(pod.Namespace, ["proxy", "--discovery", control.Address],
            new Dictionary<string, string> { ["POD_NAME"] = "client-1", ["POD_NAMESPACE"] = "shop", ["INSTANCE_IP"] = "10.244.1.2" });
        var url = new Uri("http://payments.pay:9080/");

        // :: No Sidecar: pay's payments is in view (exported to every namespace) and routed to its endpoint.
        var last = "";
        await Poll.UntilAsync(async () => (last = await Fresh(pod, url)) == "routed", "the proxy to route payments.pay", () => Task.FromResult($"{last}\n{proxy.Output}\n{control.Output}"));

        // :: shop's Sidecar with egress ./*: pay leaves the view; the connection passes through to the ClusterIP.
        control.WriteManifest("sidecar.yaml", """
            apiVersion: networking.istio.io/v1
            kind: Sidecar
            metadata: {name: default, namespace: shop}
            spec:
              egress:
              - hosts: ["./*"]
            """);
        await Poll.UntilAsync(async () => await Fresh(pod, url) == "direct", "payments.pay to leave the proxy's view", async () => await control.SynczAsync());
        var proxyState = await ProxyAsync(control);
        Assert.Equal("shop/default", proxyState.GetProperty("sidecar").GetString());
        var before = Pushes(proxyState);
        var version = await VersionAsync(control);

        // :: ledger.pay gets a ready endpoint (outside the view), then a VirtualService of shop (inside) follows it.
        control.WriteManifest("mesh.yaml", Manifests.Replace("podIP: 10.244.1.12, conditions: [{type: Ready, status: \"False\"}]",
            "podIP: 10.244.1.12, conditions: [{type: Ready, status: \"True\"}]", StringComparison.Ordinal));
        await Poll.UntilAsync(async () => await VersionAsync(control) > version, "the control plane to publish ledger's endpoint", async () => await control.SynczAsync());
        control.WriteManifest("marker.yaml", """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: web, namespace: shop}
            spec:
              hosts: [web]
              http: [{route: [{destination: {host: web}}]}]
            """);
        await Poll.UntilAsync(async () => Pushes(await ProxyAsync(control)).GetValueOrDefault("routes") > before.GetValueOrDefault("routes")
                && (await ProxyAsync(control)).GetProperty("types").GetProperty("routes").GetProperty("status").GetString() == "SYNCED",
            "the proxy to take shop's VirtualService", async () => await control.SynczAsync());

        var after = Pushes(await ProxyAsync(control));
        Assert.Equal(before.GetValueOrDefault("endpoints"), after.GetValueOrDefault("endpoints"));
        Assert.Equal(before.GetValueOrDefault("services"), after.GetValueOrDefault("services"));
        Assert.Equal(before.GetValueOrDefault("routes") + 1, after.GetValueOrDefault("routes"));
        Assert.Equal("direct", await Fresh(pod, url));
    }

    /// <summary>One request on a new connection (a connection keeps the view it was accepted under).</summary>
    private static async Task<string> Fresh(TestPod pod, Uri url)
    {
        using var client = TestHttpClient.Create(pod.Namespace, Hosts, maxConnections: 1);
        using var response = await client.GetAsync(url);
        return response.IsSuccessStatusCode ? await response.Content.ReadAsStringAsync() : $"{(int)response.StatusCode} {response.Headers}";
    }

    private static async Task<long> VersionAsync(TestControlPlane control) =>
        JsonDocument.Parse(await control.SynczAsync()).RootElement.GetProperty("version").GetInt64();

    private static async Task<JsonElement> ProxyAsync(TestControlPlane control) =>
        JsonDocument.Parse(await control.SynczAsync()).RootElement.GetProperty("proxies").EnumerateArray().Single(p => p.GetProperty("proxy").GetString() == "client-1.shop").Clone();

    private static Dictionary<string, int> Pushes(JsonElement proxy) =>
        proxy.GetProperty("types").EnumerateObject().ToDictionary(t => t.Name, t => t.Value.GetProperty("pushes").GetInt32(), StringComparer.Ordinal);
}
