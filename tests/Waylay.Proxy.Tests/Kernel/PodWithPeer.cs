using System.Net;
using Waylay.TestKit;

namespace Waylay.Proxy.Tests.Kernel;

/// <summary>
/// A captured pod with its sidecar, and a plain peer namespace that plays the rest of the world (endpoints, external
/// hosts) with several addresses:
/// <code>
///   pod 10.244.1.2 (capture + waylay proxy as uid 1337) ═veth═ peer 10.244.1.1, .11, .12, .13, .14
/// </code>
/// </summary>
internal sealed class PodWithPeer : IAsyncDisposable
{
    public static readonly IPAddress PeerIp = IPAddress.Parse("10.244.1.1");

    private PodWithPeer(TestPod pod, TestPod peer)
    {
        Pod = pod;
        Peer = peer;
    }

    public TestPod Pod { get; }

    public TestPod Peer { get; }

    public TestProxy Proxy => Pod.Proxy!;

    public static IPAddress Endpoint(int n) => IPAddress.Parse($"10.244.1.{10 + n}");

    /// <summary>The smallest mesh.yaml: service web.shop at 10.96.0.40:8080 (HTTP), one endpoint, <see cref="Endpoint"/>(1).</summary>
    public const string OneServiceMesh = """
        services:
        - name: web
          namespace: shop
          addresses: [10.96.0.40]
          ports: [{name: http, port: 8080}]
          endpoints:
          - address: 10.244.1.11
        """;

    public static async Task<PodWithPeer> CreateAsync(params string[] proxyArguments) =>
        await CreateAsync(TestPod.StandardCapture, proxyArguments);

    public static async Task<PodWithPeer> CreateAsync(string[] capture, string[] proxyArguments)
    {
        var (pod, peer) = await TestPod.CreatePairAsync("10.244.1.2/24", "10.244.1.1/24");
        var lab = new PodWithPeer(pod, peer);
        try
        {
            for (var n = 1; n <= 4; n++)
            {
                await peer.Namespace.AddAddressAsync("eth0", $"{Endpoint(n)}/32");
            }

            await pod.CaptureAsync(capture);
            await pod.StartProxyAsync(proxyArguments);
            return lab;
        }
        catch
        {
            await lab.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Pod.DisposeAsync();
        await Peer.DisposeAsync();
    }
}
