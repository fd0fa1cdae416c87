using System.Net;
using Waylay.Proxy.Tests.Kernel;
using Waylay.TestKit;
using Xunit;

namespace Waylay.Proxy.Tests.Http;

/// <summary>
/// An interval after it starts, the proxy unmaps its binary's read-only pages (<c>ImagePages</c>, docs/designs/proxy.md,
/// "Memory"), and then serves on from the pages it maps again: with the NativeAOT sidecar (./test.sh) this is the
/// release a pod's sidecar makes, and a page released that the loader had patched would crash it here.
/// </summary>
public sealed class ImageReleaseTests
{
    [NetnsFact]
    public async Task AfterStart_TheBinarysPagesAreReleased_AndTheProxyServesOn()
    {
        using var mesh = new MeshFile(PodWithPeer.OneServiceMesh);
        await using var lab = await PodWithPeer.CreateAsync("--config", mesh.Path);
        await using var server = await TestHttpServer.StartAsync(lab.Peer.Namespace, new IPEndPoint(PodWithPeer.Endpoint(1), 8080), "web");
        long releases = 0;
        await Wait.UntilAsync(
            async () => (releases = await lab.Proxy.MetricAsync("waylay_server_memory_image_releases_total")) >= 1,
            () => $"the proxy to release its binary's pages after start (waylay_server_memory_image_releases_total {releases})");

        var service = new IPEndPoint(IPAddress.Parse("10.96.0.40"), 8080);
        for (var i = 0; i < 5; i++)
        {
            using var http = new RawHttp(await lab.Pod.ConnectAsync(service));
            await http.SendAsync($"GET /after-release/{i} HTTP/1.1\r\nhost: web.shop:8080\r\n\r\n");
            Assert.Equal(200, (await http.ReadResponseAsync()).Status);
        }
    }
}
