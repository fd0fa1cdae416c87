using System.Net;
using Waylay.Proxy.Tests.Kernel;
using Waylay.TestKit;
using Xunit;

namespace Waylay.Proxy.Tests.Http;

/// <summary>
/// By the time it says it is ready, the proxy has unmapped its binary's read-only pages (<c>ImagePages</c>,
/// docs/designs/proxy.md, "Memory": during its start and once more at readiness, so that the first requests do not
/// land on the start's pages), and then serves on from the pages it maps again: with the NativeAOT sidecar
/// (./test.sh) these are the releases a pod's sidecar makes, and a page released that the loader had patched would
/// crash it here.
/// </summary>
public sealed class ImageReleaseTests
{
    [NetnsFact]
    public async Task ByReadiness_TheBinarysPagesAreReleased_AndTheProxyServesOn()
    {
        using var mesh = new MeshFile(PodWithPeer.OneServiceMesh);
        await using var lab = await PodWithPeer.CreateAsync("--config", mesh.Path);
        await using var server = await TestHttpServer.StartAsync(lab.Peer.Namespace, new IPEndPoint(PodWithPeer.Endpoint(1), 8080), "web");
        // Ready (the lab waited for /ready): after the start's two phases and at readiness itself, not an interval later.
        Assert.True(await lab.Proxy.MetricAsync("waylay_server_memory_image_releases_total") >= 3, "the binary's pages still mapped when the proxy said it was ready");

        var service = new IPEndPoint(IPAddress.Parse("10.96.0.40"), 8080);
        for (var i = 0; i < 5; i++)
        {
            using var http = new RawHttp(await lab.Pod.ConnectAsync(service));
            await http.SendAsync($"GET /after-release/{i} HTTP/1.1\r\nhost: web.shop:8080\r\n\r\n");
            Assert.Equal(200, (await http.ReadResponseAsync()).Status);
        }
    }
}
