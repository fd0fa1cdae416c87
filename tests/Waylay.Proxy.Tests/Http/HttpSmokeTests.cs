using System.Net;
using System.Net.Sockets;
using Waylay.Proxy.Tests.Kernel;
using Waylay.TestKit;
using Xunit;

namespace Waylay.Proxy.Tests.Http;

/// <summary>
/// The HTTP path end to end through one sidecar, with raw sockets on both sides so every byte on the wire is the
/// test's: keep-alive requests are routed per request (a VirtualService splits by header), answered by the right
/// endpoint, counted in Istio's metrics, and a request the parser refuses gets Envoy's 400 and a close; rule changes
/// reach open connections and a drain closes idle keep-alive ones at once.
/// </summary>
public sealed class HttpSmokeTests
{
    private const string Mesh = """
        version: http-v1
        services:
        - name: web
          namespace: shop
          addresses: [10.96.0.40]
          ports: [{name: http, port: 8080}]
          endpoints:
          - address: 10.244.1.11
            labels: {app: web, version: v1}
          - address: 10.244.1.12
            labels: {app: web, version: v2}
        """;

    private const string Rules = """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: web, namespace: shop}
        spec:
          hosts: [web]
          http:
          - match: [{headers: {end-user: {exact: jason}}}]
            route: [{destination: {host: web, subset: v2}}]
          - route: [{destination: {host: web, subset: v1}}]
        ---
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: web, namespace: shop}
        spec:
          host: web
          subsets:
          - {name: v1, labels: {version: v1}}
          - {name: v2, labels: {version: v2}}
        """;

    [NetnsFact]
    public async Task KeepAliveRequests_AreRoutedOneByOne_AndCounted()
    {
        using var mesh = new MeshFile(Mesh);
        using var rules = new MeshFile(Rules);
        await using var lab = await PodWithPeer.CreateAsync("--config", mesh.Path, "--rules", rules.Path);
        await using var v1 = await TestHttpServer.StartAsync(lab.Peer.Namespace, new IPEndPoint(PodWithPeer.Endpoint(1), 8080), "v1");
        await using var v2 = await TestHttpServer.StartAsync(lab.Peer.Namespace, new IPEndPoint(PodWithPeer.Endpoint(2), 8080), "v2");

        using var http = new RawHttp(await lab.Pod.ConnectAsync(new IPEndPoint(IPAddress.Parse("10.96.0.40"), 8080)));
        var answers = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            var user = i % 2 == 0 ? "end-user: jason\r\n" : "";
            await http.SendAsync($"GET /p/{i} HTTP/1.1\r\nhost: web.shop:8080\r\n{user}\r\n");
            answers.Add((await http.ReadResponseAsync()).BodyText);
        }

        Assert.Equal(["v2", "v1", "v2", "v1", "v2", "v1"], answers);
        Assert.Equal(["/p/0", "/p/2", "/p/4"], v2.Served.Select(r => r.PathAndQuery));
        await Wait.UntilAsync(async () => await SumAsync(lab.Proxy, "istio_requests_total", "reporter=\"source\"", "response_code=\"200\"",
            "destination_version=\"v2\"") == 3, "three requests to v2 counted: " + (await lab.Proxy.GetAsync("/stats/prometheus")).Body);
        Assert.Equal(3, await SumAsync(lab.Proxy, "istio_requests_total", "response_code=\"200\"", "destination_service=\"web.shop.svc.cluster.local\"",
            "destination_version=\"v1\""));

        await http.SendAsync("GET /x HTTP/1.1\r\nhost: a\r\ncontent-length: 1\r\ntransfer-encoding: chunked\r\n\r\n");
        Assert.Equal(400, (await http.ReadResponseAsync()).Status);
        Assert.Equal(0, await http.Socket.ReceiveAsync(new byte[16]));
    }

    [NetnsFact]
    public async Task RuleChange_AppliesToTheNextRequest_OfAnOpenKeepAliveConnection()
    {
        using var mesh = new MeshFile(Mesh);
        using var rules = new MeshFile(Rules);
        await using var lab = await PodWithPeer.CreateAsync("--config", mesh.Path, "--rules", rules.Path);
        await using var v1 = await TestHttpServer.StartAsync(lab.Peer.Namespace, new IPEndPoint(PodWithPeer.Endpoint(1), 8080), "v1");
        await using var v2 = await TestHttpServer.StartAsync(lab.Peer.Namespace, new IPEndPoint(PodWithPeer.Endpoint(2), 8080), "v2");
        using var http = new RawHttp(await lab.Pod.ConnectAsync(new IPEndPoint(IPAddress.Parse("10.96.0.40"), 8080)));
        await http.SendAsync("GET /a HTTP/1.1\r\nhost: web\r\n\r\n");
        Assert.Equal("v1", (await http.ReadResponseAsync()).BodyText);

        rules.Write(Rules.Replace("route: [{destination: {host: web, subset: v1}}]", "route: [{destination: {host: web, subset: v2}}]", StringComparison.Ordinal));
        await Wait.UntilAsync(async () =>
        {
            await http.SendAsync("GET /b HTTP/1.1\r\nhost: web\r\n\r\n");
            return (await http.ReadResponseAsync()).BodyText == "v2";
        }, "the same connection's next request to follow the new rules");
        Assert.Equal(1, v2.Connections); // and v2 is reached over one pooled connection, however many requests it took
    }

    [NetnsFact]
    public async Task Drain_ClosesKeepAliveConnectionsBetweenRequests_AtOnce()
    {
        using var mesh = new MeshFile(Mesh);
        await using var lab = await PodWithPeer.CreateAsync("--config", mesh.Path, "--drain-duration", "10m", "--parent-shutdown-duration", "10m");
        await using var v1 = await TestHttpServer.StartAsync(lab.Peer.Namespace, new IPEndPoint(PodWithPeer.Endpoint(1), 8080), "v1");
        await using var v2 = await TestHttpServer.StartAsync(lab.Peer.Namespace, new IPEndPoint(PodWithPeer.Endpoint(2), 8080), "v2");
        using var http = new RawHttp(await lab.Pod.ConnectAsync(new IPEndPoint(IPAddress.Parse("10.96.0.40"), 8080)));
        await http.SendAsync("GET /before HTTP/1.1\r\nhost: web\r\n\r\n");
        Assert.Equal(200, (await http.ReadResponseAsync()).Status);

        // Idle between requests: a drain closes it without waiting out the 10 minutes (nothing is cut).
        Assert.Equal(200, (await lab.Proxy.PostAsync("/drain")).Status);
        using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        Assert.Equal(0, await http.Socket.ReceiveAsync(new byte[64], SocketFlags.None, bound.Token));
    }

    /// <summary>The sum of a metric's series whose labels include every one given.</summary>
    private static async Task<double> SumAsync(TestProxy proxy, string name, params string[] labels)
    {
        var (_, body) = await proxy.GetAsync("/stats/prometheus");
        double sum = 0;
        foreach (var line in body.Split('\n'))
        {
            if (line.StartsWith(name + "{", StringComparison.Ordinal) && labels.All(line.Contains))
            {
                sum += double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return sum;
    }
}
