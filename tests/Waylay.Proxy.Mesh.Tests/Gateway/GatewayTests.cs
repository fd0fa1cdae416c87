using System.Net;
using System.Net.Sockets;
using Waylay.Proxy.Mesh.Tests.Lab;
using Waylay.TestKit;
using Xunit;

namespace Waylay.Proxy.Mesh.Tests.Gateway;

/// <summary>
/// <c>waylay proxy --gateway</c> for real, as Istio's ingress gateway serves Bookinfo: a gateway pod (labels from the
/// downward-API file, as Istio's deployment mounts it) with no capture, backends in a peer namespace, clients there too.
/// <code>
///   client (peer ns) ─GET 10.244.1.2:8080/productpage─► gateway (Gateway port 80, its Service 80→8080)
///     ─ Host "*" / admin.example.com ─► productpage 10.244.1.11:9080 | details 10.244.1.12:9080; anything else 404 NR
/// </code>
/// </summary>
public sealed class GatewayTests
{
    private static readonly IPAddress GatewayIp = IPAddress.Parse("10.244.1.2");

    private const string Mesh = """
        version: gateway-lab
        services:
        - name: productpage
          namespace: default
          addresses: [10.96.0.20]
          ports: [{name: http, port: 9080}]
          endpoints: [{address: 10.244.1.11, labels: {app: productpage, version: v1}}]
        - name: details
          namespace: default
          addresses: [10.96.0.21]
          ports: [{name: http, port: 9080}]
          endpoints: [{address: 10.244.1.12, labels: {app: details, version: v1}}]
        - name: istio-ingressgateway
          namespace: istio-system
          addresses: [10.96.0.30]
          ports: [{name: http2, port: 80, targetPort: 8080}]
          endpoints: [{address: 10.244.1.2, labels: {app: istio-ingressgateway, istio: ingressgateway}}]
        """;

    // Istio's bookinfo-gateway.yaml with port 80 (the Service maps it to 8080), a host-specific VirtualService on the
    // same Gateway, a Gateway for other pods (never opened here) and a sidecar-only rule the gateway must not apply.
    private const string Rules = """
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: {name: bookinfo-gateway}
        spec:
          selector: {istio: ingressgateway}
          servers:
          - port: {number: 80, name: http, protocol: HTTP}
            hosts: ["*"]
        ---
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: {name: egress}
        spec:
          selector: {istio: egressgateway}
          servers:
          - port: {number: 9000, name: http, protocol: HTTP}
            hosts: ["*"]
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: bookinfo}
        spec:
          hosts: ["*"]
          gateways: [bookinfo-gateway]
          http:
          - match: [{uri: {exact: /productpage}}, {uri: {prefix: /static}}, {uri: {exact: /login}}, {uri: {exact: /logout}}, {uri: {prefix: /api/v1/products}}]
            route: [{destination: {host: productpage, port: {number: 9080}}}]
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: admin}
        spec:
          hosts: [admin.example.com]
          gateways: [bookinfo-gateway]
          http:
          - route: [{destination: {host: details}}]
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: productpage-mesh}
        spec:
          hosts: [productpage]
          http:
          - route: [{destination: {host: details}}]
        """;

    [NetnsFact]
    public async Task Gateway_RoutesByHostAndPath_ToTheBoundVirtualServicesDestinations_And404sTheRest()
    {
        var (gatewayPod, peer) = await TestPod.CreatePairAsync("10.244.1.2/24", "10.244.1.1/24");
        await using var removePod = gatewayPod;
        await using var removePeer = peer;
        await peer.Namespace.AddAddressAsync("eth0", "10.244.1.11/32");
        await peer.Namespace.AddAddressAsync("eth0", "10.244.1.12/32");
        await using var productpage = await TestHttpServer.StartAsync(peer.Namespace, new IPEndPoint(IPAddress.Parse("10.244.1.11"), 9080), "productpage");
        await using var details = await TestHttpServer.StartAsync(peer.Namespace, new IPEndPoint(IPAddress.Parse("10.244.1.12"), 9080), "details");
        using var mesh = TestFile.Config("mesh", Mesh);
        using var rules = TestFile.Config("rules", Rules);
        using var labels = TestFile.Config("labels", "app=\"istio-ingressgateway\"\nistio=\"ingressgateway\"\n");
        using var log = TestFile.Log("access");
        var proxy = await gatewayPod.StartProxyAsync("--gateway", "--config", mesh.Path, "--rules", rules.Path, "--pod-labels", labels.Path,
            "--access-log-file", log.Path);
        using var client = TestHttpClient.Create(peer.Namespace);
        await Wait.UntilAsync(() => Listening(peer, 8080), "the gateway listening on 8080", lastSeen: () => Task.FromResult(proxy.Output));

        foreach (var path in new[] { "/productpage", "/static/style.css", "/login", "/api/v1/products/0" })
        {
            using var response = await client.GetAsync(new Uri($"http://10.244.1.2:8080{path}"));
            Assert.Equal((HttpStatusCode.OK, "productpage"), (response.StatusCode, Served(response)));
        }

        using (var admin = new HttpRequestMessage(HttpMethod.Get, "http://10.244.1.2:8080/anything"))
        {
            admin.Headers.Host = "admin.example.com:8080";
            using var response = await client.SendAsync(admin);
            Assert.Equal((HttpStatusCode.OK, "details"), (response.StatusCode, Served(response)));
        }

        using (var unrouted = await client.GetAsync(new Uri("http://10.244.1.2:8080/reviews/0")))
        {
            Assert.Equal(HttpStatusCode.NotFound, unrouted.StatusCode);
        }

        Assert.Equal(4, productpage.Requests);
        Assert.Equal(1, details.Requests); // the sidecar-only rule for productpage was not applied at the gateway

        // The Gateway's port 80 is served on the Service's targetPort; nothing listens on 80, nor on the other Gateway's 9000.
        Assert.False(await Listening(peer, 80));
        Assert.False(await Listening(peer, 9000));

        var notFound = await AccessLogs.LineForAsync(log, "/reviews/0");
        Assert.Equal((404, "NR"), (notFound.ResponseCode, notFound.ResponseFlags));
        var routed = await AccessLogs.LineForAsync(log, "/productpage");
        Assert.Equal((200, "10.244.1.11:9080"), (routed.ResponseCode, routed.UpstreamHost));
        Assert.Contains("productpage.default.svc.cluster.local", routed.UpstreamCluster);

        // The Gateway removed: its port closes, as Envoy drops a listener no Gateway asks for.
        rules.Write(Rules[(Rules.IndexOf("---", StringComparison.Ordinal) + 4)..]);
        await Wait.UntilAsync(async () => !await Listening(peer, 8080), "port 8080 closed after the Gateway went away", lastSeen: () => Task.FromResult(proxy.Output));

        // The pod relabelled (the kubelet rewrites the downward-API file): the other Gateway now selects it.
        labels.Write("istio=\"egressgateway\"\n");
        await Wait.UntilAsync(() => Listening(peer, 9000), "port 9000 opened for the Gateway selecting the new labels", lastSeen: () => Task.FromResult(proxy.Output));
    }

    private static string Served(HttpResponseMessage response) =>
        response.Headers.TryGetValues("x-served-by", out var values) ? string.Join(",", values) : "(no x-served-by)";

    private static async Task<bool> Listening(TestPod from, ushort port)
    {
        try
        {
            using var socket = await from.ConnectAsync(new IPEndPoint(GatewayIp, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
