using System.Net;
using System.Net.Sockets;
using Waylay.TestKit;
using Xunit;

namespace Waylay.Proxy.Tests.Kernel;

/// <summary>
/// The whole sidecar path, for real: an app in pod A dials a service address; A's capture rules hand the connection to
/// A's proxy (uid 1337), which picks the endpoint in pod B; B's capture rules hand it to B's proxy, which delivers it to
/// the app on 127.0.0.1. Every byte is checked, both ways, with each side half-closing first once.
/// <code>
///   A: app ─► :15001 proxy ─► 10.244.1.3:9080 ═veth═► B: :15006 proxy ─► 127.0.0.1:9080 app
/// </code>
/// </summary>
public sealed class TwoSidecarTests
{
    private const long Upload = 512L << 20;
    private const long Download = 512L << 20;
    private const long Small = 32L << 20;
    private static readonly IPAddress ServiceIp = IPAddress.Parse("10.96.0.10");

    [NetnsFact]
    public async Task ServiceAddress_ReachesEndpointThroughBothSidecars_GibibyteExact_HalfCloseEachWay()
    {
        var (a, b) = await TestPod.CreatePairAsync("10.244.1.2/24", "10.244.1.3/24");
        await using var _ = a;
        await using var __ = b;
        using var mesh = new MeshFile("""
            version: v1
            services:
            - name: sink
              addresses: [10.96.0.10]
              ports:
              - {name: upload, port: 9080}
              - {name: download, port: 9081}
              endpoints:
              - address: 10.244.1.3
            """);
        await a.CaptureAsync(TestPod.StandardCapture);
        await b.CaptureAsync(TestPod.StandardCapture);
        var proxyA = await a.StartProxyAsync("--config", mesh.Path);
        var proxyB = await b.StartProxyAsync();

        // Upload server: hash everything until the client's FIN, answer with the hash, then send its own stream.
        var serverSent = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var upload = b.Serve(new IPEndPoint(IPAddress.IPv6Any, 9080), async (socket, ct) =>
        {
            var (_, hash) = await TestData.ReceiveHashAsync(socket, ct);
            await socket.SendAsync(hash, SocketFlags.None, ct);
            serverSent.SetResult(await TestData.SendRandomAsync(socket, Download, seed: 2, ct));
            socket.Shutdown(SocketShutdown.Send);
        });

        // Download server: send first and FIN, then keep reading what the client sends after it.
        var serverGot = new TaskCompletionSource<(long, byte[])>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var download = b.Serve(new IPEndPoint(IPAddress.IPv6Any, 9081), async (socket, ct) =>
        {
            await TestData.SendRandomAsync(socket, Small, seed: 3, ct);
            socket.Shutdown(SocketShutdown.Send);
            serverGot.SetResult(await TestData.ReceiveHashAsync(socket, ct));
        });

        // 1. The client half-closes first; the server's answer still flows back in full.
        using (var client = await a.ConnectAsync(new IPEndPoint(ServiceIp, 9080)))
        {
            var sent = await TestData.SendRandomAsync(client, Upload, seed: 1);
            client.Shutdown(SocketShutdown.Send);
            Assert.Equal(sent, await TestData.ReceiveExactlyAsync(client, 32));
            var (length, hash) = await TestData.ReceiveHashAsync(client);
            Assert.Equal(Download, length);
            Assert.Equal(await serverSent.Task, hash);
        }

        // 2. The server half-closes first; the client's bytes after that still arrive in full.
        using (var client = await a.ConnectAsync(new IPEndPoint(ServiceIp, 9081)))
        {
            var (length, hash) = await TestData.ReceiveHashAsync(client);
            Assert.Equal(Small, length);
            var sent = await TestData.SendRandomAsync(client, Small, seed: 4);
            client.Shutdown(SocketShutdown.Send);
            var (gotLength, gotHash) = await serverGot.Task.WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(Small, gotLength);
            Assert.Equal(sent, gotHash);
            Assert.Equal(0, await client.ReceiveAsync(new byte[1], SocketFlags.None));
        }

        // Both went through A's proxy as the service and through B's proxy as inbound, and were counted so.
        await Wait.UntilAsync(async () => await proxyA.MetricAsync("waylay_upstream_cx_active", "service=\"sink.default\"") == 0, "A's connections to close");
        Assert.Equal(2, await proxyA.MetricAsync("waylay_upstream_cx_total", "service=\"sink.default\""));
        Assert.Equal(Upload + Small, await proxyA.MetricAsync("waylay_tcp_sent_bytes_total", "service=\"sink.default\""));
        Assert.Equal(32 + Download + Small, await proxyA.MetricAsync("waylay_tcp_received_bytes_total", "service=\"sink.default\""));
        await Wait.UntilAsync(async () => await proxyB.MetricAsync("waylay_upstream_cx_total", "service=\"inbound\"") == 2, "B to count two inbound connections");
        Assert.Equal(2, await proxyB.MetricAsync("waylay_downstream_cx_total", "listener=\"inbound\""));
        
        // B's app saw B's proxy connecting from loopback: the classic sidecar inbound.
        Assert.All(upload.Clients.Concat(download.Clients), c => Assert.Equal(IPAddress.Loopback, c.Address));
    }
}
