using System.Net;
using System.Net.Sockets;
using Waylay.TestKit;
using Xunit;

namespace Waylay.Proxy.Tests.Kernel;

public sealed class TimeoutTests
{
    [NetnsFact]
    public async Task EndpointThatNeverAnswers_HitsTheConnectTimeout_AndTheClientIsClosed()
    {
        // 10.244.1.99 is on the link's subnet but nobody has it: ARP goes unanswered, the SYN never leaves.
        using var mesh = new MeshFile("""
            services:
            - name: silent
              addresses: [10.96.0.50]
              ports: [{port: 80}]
              endpoints: [{address: 10.244.1.99}]
            """);
        await using var lab = await PodWithPeer.CreateAsync("--config", mesh.Path, "--connect-timeout", "1s");

        await Expect.ClosedAsync(() => lab.Pod.ConnectAsync(new IPEndPoint(IPAddress.Parse("10.96.0.50"), 80)));

        await Wait.UntilAsync(async () => await lab.Proxy.MetricAsync("waylay_upstream_cx_connect_timeout_total", "service=\"silent.default\"") == 1, "one connect timeout");
        Assert.Equal(0, await lab.Proxy.MetricAsync("waylay_upstream_cx_connect_fail_total", "service=\"silent.default\""));
    }

    [NetnsFact]
    public async Task ConnectionWithNoBytesForTheIdleTimeout_IsClosedAndCounted()
    {
        await using var lab = await PodWithPeer.CreateAsync("--idle-timeout", "1s");
        using var echo = lab.Peer.Serve(new IPEndPoint(PodWithPeer.PeerIp, 7000), TestServer.Echo);

        await Expect.ClosedAsync(async () =>
        {
            var client = await lab.Pod.ConnectAsync(new IPEndPoint(PodWithPeer.PeerIp, 7000));
            await client.SendAsync("once"u8.ToArray(), SocketFlags.None);
            await TestData.ReceiveExactlyAsync(client, 4);
            return client;
        });

        await Wait.UntilAsync(async () => await lab.Proxy.MetricAsync("waylay_idle_timeout_total") == 1, "one idle timeout");
    }
}
