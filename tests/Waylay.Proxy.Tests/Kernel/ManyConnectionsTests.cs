using System.Net;
using System.Net.Sockets;
using Waylay.TestKit;
using Xunit;

namespace Waylay.Proxy.Tests.Kernel;

public sealed class ManyConnectionsTests
{
    [NetnsFact]
    public async Task ThousandConcurrentConnections_RelayCorrectly_AndTheProxysDescriptorsReturnToBaseline()
    {
        await using var lab = await PodWithPeer.CreateAsync();
        using var echo = lab.Peer.Serve(new IPEndPoint(PodWithPeer.PeerIp, 7000), TestServer.Echo);
        var proxy = lab.Proxy;
        var baseline = Sockets(proxy.Pid);

        var clients = new List<Socket>();
        try
        {
            for (var batch = 0; batch < 10; batch++)
            {
                clients.AddRange(await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => lab.Pod.ConnectAsync(new IPEndPoint(PodWithPeer.PeerIp, 7000)))));
            }

            // Every connection carries its own bytes back, all open at once.
            await Task.WhenAll(clients.Select(async (client, i) =>
            {
                var message = BitConverter.GetBytes(i * 7919L);
                await client.SendAsync(message, SocketFlags.None);
                Assert.Equal(message, await TestData.ReceiveExactlyAsync(client, message.Length));
            }));
            Assert.Equal(1000, await proxy.MetricAsync("waylay_downstream_cx_active", "listener=\"outbound\""));
            Assert.True(Sockets(proxy.Pid) >= baseline + 2000, $"expected two sockets per connection: {Sockets(proxy.Pid)} with baseline {baseline}");
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }

        await Wait.UntilAsync(() => Task.FromResult(Sockets(proxy.Pid) == baseline), $"the proxy's sockets to return to {baseline}", attempts: 300);
        Assert.Equal(0, await proxy.MetricAsync("waylay_downstream_cx_active", "listener=\"outbound\""));
        Assert.True(Pipes(proxy.Pid) <= 2 * 64, $"the pipe pool keeps at most 64 idle pipes, found {Pipes(proxy.Pid)} pipe ends");
    }

    private static int Sockets(int pid) => Descriptors(pid, "socket:");

    private static int Pipes(int pid) => Descriptors(pid, "pipe:");

    private static int Descriptors(int pid, string kind)
    {
        var count = 0;
        foreach (var fd in Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd"))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget?.StartsWith(kind, StringComparison.Ordinal) == true)
                {
                    count++;
                }
            }
            catch (IOException)
            {
                // closed while we looked
            }
        }

        return count;
    }
}
