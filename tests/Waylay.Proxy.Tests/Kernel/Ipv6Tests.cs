using System.Net;
using System.Net.Sockets;
using System.Text;
using Waylay.TestKit;
using Xunit;

namespace Waylay.Proxy.Tests.Kernel;

public sealed class Ipv6Tests
{
    private static readonly IPAddress PodIp6 = IPAddress.Parse("fd00:244:1::2");
    private static readonly IPAddress PeerIp6 = IPAddress.Parse("fd00:244:1::1");

    /// <summary>Redirected IPv6 lands on [::1] (outbound) or the interface's v6 address (inbound): the dual-mode listeners take both.</summary>
    [NetnsFact]
    public async Task Ipv6_OutboundPassesThrough_AndInboundReachesTheAppOnLoopback()
    {
        var (pod, peer) = await TestPod.CreatePairAsync("10.244.1.2/24", "10.244.1.1/24");
        await using var _ = pod;
        await using var __ = peer;
        await pod.Namespace.AddAddressAsync("eth0", "fd00:244:1::2/64");
        await peer.Namespace.AddAddressAsync("eth0", "fd00:244:1::1/64");
        await pod.CaptureAsync([.. TestPod.StandardCapture, "--ipv6"]);
        var proxy = await pod.StartProxyAsync();
        using var remote = peer.Serve(new IPEndPoint(IPAddress.IPv6Any, 7000), TestServer.Echo);
        using var app = pod.Serve(new IPEndPoint(IPAddress.IPv6Any, 9080), TestServer.Echo);

        using (var client = await pod.ConnectAsync(new IPEndPoint(PeerIp6, 7000)))
        {
            await client.SendAsync("v6 out"u8.ToArray(), SocketFlags.None);
            client.Shutdown(SocketShutdown.Send);
            Assert.Equal("v6 out", Encoding.ASCII.GetString(await TestData.ReadToEndAsync(client)));
        }

        using (var client = await peer.ConnectAsync(new IPEndPoint(PodIp6, 9080), uid: 0))
        {
            await client.SendAsync("v6 in"u8.ToArray(), SocketFlags.None);
            client.Shutdown(SocketShutdown.Send);
            Assert.Equal("v6 in", Encoding.ASCII.GetString(await TestData.ReadToEndAsync(client)));
        }

        Assert.Equal(PodIp6, Assert.Single(remote.Clients).Address);
        Assert.Equal(IPAddress.IPv6Loopback, Assert.Single(app.Clients).Address);
        await Wait.UntilAsync(async () => await proxy.MetricAsync("waylay_upstream_cx_total", "service=\"inbound\"") == 1, "the inbound connection to be counted");
        Assert.Equal(1, await proxy.MetricAsync("waylay_upstream_cx_total", "service=\"passthrough\""));
    }
}
