using System.Net;
using System.Net.Sockets;
using System.Text;
using Waylay.TestKit;
using Xunit;

namespace Waylay.Proxy.Tests.Kernel;

public sealed class PassthroughAndLoopTests
{
    [NetnsFact]
    public async Task NoConfig_PassesAnAddressThatIsNoServiceThrough_AndTheProxysOwnTrafficIsNotCapturedAgain()
    {
        await using var lab = await PodWithPeer.CreateAsync();
        using var echo = lab.Peer.Serve(new IPEndPoint(PodWithPeer.PeerIp, 7000), TestServer.Echo);

        using (var client = await lab.Pod.ConnectAsync(new IPEndPoint(PodWithPeer.PeerIp, 7000)))
        {
            await client.SendAsync("through the sidecar"u8.ToArray(), SocketFlags.None);
            client.Shutdown(SocketShutdown.Send);
            Assert.Equal("through the sidecar", Encoding.ASCII.GetString(await TestData.ReadToEndAsync(client)));
        }

        // uid 1337 is the proxy's: capture exempts it, so this goes straight out and the proxy never sees it.
        using (var own = await lab.Pod.ConnectAsync(new IPEndPoint(PodWithPeer.PeerIp, 7000), uid: TestProxy.Uid))
        {
            await own.SendAsync("direct"u8.ToArray(), SocketFlags.None);
            own.Shutdown(SocketShutdown.Send);
            Assert.Equal("direct", Encoding.ASCII.GetString(await TestData.ReadToEndAsync(own)));
        }

        await Wait.UntilAsync(async () => await lab.Proxy.MetricAsync("waylay_upstream_cx_active", "service=\"passthrough\"") == 0, "the passthrough connection to close");
        Assert.Equal(1, await lab.Proxy.MetricAsync("waylay_downstream_cx_total", "listener=\"outbound\""));
        Assert.Equal(1, await lab.Proxy.MetricAsync("waylay_upstream_cx_total", "service=\"passthrough\""));
        Assert.Equal(19, await lab.Proxy.MetricAsync("waylay_tcp_sent_bytes_total", "service=\"passthrough\""));
        Assert.Equal(0, await lab.Proxy.MetricAsync("waylay_loop_refused_total"));

        // The peer saw the pod's address for both: the sidecar is transparent to the other end.
        Assert.All(echo.Clients, c => Assert.Equal(IPAddress.Parse("10.244.1.2"), c.Address));
        Assert.Equal(2, echo.Accepted);
    }

    [NetnsFact]
    public async Task ConnectionToTheProxysOwnListener_IsRefusedAndCounted_NeverRelayedToItself()
    {
        await using var lab = await PodWithPeer.CreateAsync();

        // Straight to 127.0.0.1:15001 (loopback is not captured): not redirected, nothing to relay to.
        await Expect.ClosedAsync(() => lab.Pod.ConnectAsync(new IPEndPoint(IPAddress.Loopback, 15001), uid: 0));

        // To the pod's own address on 15001: capture sends it to the inbound port, original destination = a listener.
        await Expect.ClosedAsync(() => lab.Pod.ConnectAsync(new IPEndPoint(lab.Pod.Ip, 15001)));

        await Wait.UntilAsync(async () => await lab.Proxy.MetricAsync("waylay_loop_refused_total") == 2, "two loop refusals");
        Assert.Equal(0, await lab.Proxy.MetricAsync("waylay_upstream_cx_total", "service=\"inbound\""));
        Assert.Equal(0, await lab.Proxy.MetricAsync("waylay_upstream_cx_total", "service=\"passthrough\""));
        Assert.Contains("relaying would loop", lab.Proxy.Output);
    }
}
