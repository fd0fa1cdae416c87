using System.Net;
using System.Text;
using Waylay.Proxy.Tests.Kernel;
using Waylay.TestKit;
using Xunit;

namespace Waylay.Proxy.Tests.Http;

/// <summary>A VirtualService's <c>tcp</c> routes steer opaque connections by port, as Envoy's tcp_proxy with weighted clusters.</summary>
public sealed class TcpRouteTests
{
    private const string Mesh = """
        services:
        - name: db
          namespace: shop
          addresses: [10.96.0.50]
          ports: [{name: tcp-db, port: 5432}]
          endpoints:
          - address: 10.244.1.11
            labels: {version: v1}
          - address: 10.244.1.12
            labels: {version: v2}
        """;

    private const string Rules = """
        apiVersion: networking.istio.io/v1beta1
        kind: VirtualService
        metadata: {name: db, namespace: shop}
        spec:
          hosts: [db]
          tcp:
          - match: [{port: 5432}]
            route: [{destination: {host: db, subset: v2}}]
        ---
        apiVersion: networking.istio.io/v1beta1
        kind: DestinationRule
        metadata: {name: db, namespace: shop}
        spec:
          host: db
          subsets:
          - {name: v1, labels: {version: v1}}
          - {name: v2, labels: {version: v2}}
        """;

    [NetnsFact]
    public async Task TcpRoute_SendsEveryConnectionToItsSubset()
    {
        using var mesh = new MeshFile(Mesh);
        using var rules = new MeshFile(Rules);
        await using var lab = await PodWithPeer.CreateAsync("--config", mesh.Path, "--rules", rules.Path);
        using var v1 = lab.Peer.Serve(new IPEndPoint(PodWithPeer.Endpoint(1), 5432), TestServer.Greet("v1"));
        using var v2 = lab.Peer.Serve(new IPEndPoint(PodWithPeer.Endpoint(2), 5432), TestServer.Greet("v2"));

        for (var i = 0; i < 10; i++)
        {
            using var client = await lab.Pod.ConnectAsync(new IPEndPoint(IPAddress.Parse("10.96.0.50"), 5432));
            Assert.Equal("v2", Encoding.ASCII.GetString(await TestData.ReadToEndAsync(client)));
        }

        Assert.Equal(0, v1.Accepted);
        Assert.Equal(10, v2.Accepted);
    }
}
