using System.Net;
using System.Net.Sockets;
using System.Text;
using Waylay.TestKit;
using Xunit;

namespace Waylay.Proxy.Tests.Kernel;

/// <summary>
/// IPv6 services and inbound: an IPv6 ClusterIP (fd00:96::/…) balanced to IPv6 endpoints through both sidecars
/// (ip6tables REDIRECT to [::1]:15001, SO_ORIGINAL_DST at SOL_IPV6, B's inbound REDIRECT to its v6 address), and
/// <c>--inbound-to pod-ip</c> from <c>::6</c>, the IPv6 twin of 127.0.0.6 that capture exempts.
/// </summary>
public sealed class Ipv6ServiceTests
{
    private static readonly IPAddress PodA6 = IPAddress.Parse("fd00:244:1::2");
    private static readonly IPAddress PodB6 = IPAddress.Parse("fd00:244:1::3");
    private static readonly IPEndPoint Service6 = new(IPAddress.Parse("fd00:96::10"), 9080);

    [NetnsFact]
    public async Task Ipv6ClusterIp_ReachesAnIpv6EndpointThroughBothSidecars_BytesExact()
    {
        var (a, b) = await PairAsync();
        await using var _ = a;
        await using var __ = b;
        using var mesh = new MeshFile("""
            version: v1
            services:
            - name: sink
              addresses: [10.96.0.10, "fd00:96::10"]
              ports: [{name: tcp, port: 9080}]
              endpoints: [{address: "fd00:244:1::3"}]
            """);
        await a.CaptureAsync([.. TestPod.StandardCapture, "--ipv6"]);
        await b.CaptureAsync([.. TestPod.StandardCapture, "--ipv6"]);
        var proxyA = await a.StartProxyAsync("--config", mesh.Path);
        var proxyB = await b.StartProxyAsync();
        var exchange = new CheckedExchange();
        using var app = b.Serve(new IPEndPoint(IPAddress.IPv6Any, 9080), exchange.Server);

        await exchange.RunAsync(a, Service6, async () =>
        {
            var outbound = await CheckedExchange.LiveConnectionAsync(proxyA, Service6);
            Assert.Equal("sink.default", outbound.GetProperty("service").GetString());
            Assert.Equal(new IPEndPoint(PodB6, 9080).ToString(), outbound.GetProperty("endpoint").GetString());

            var inbound = await CheckedExchange.LiveConnectionAsync(proxyB, new IPEndPoint(PodB6, 9080));
            Assert.Equal("inbound", inbound.GetProperty("direction").GetString());
            Assert.Equal(new IPEndPoint(IPAddress.IPv6Loopback, 9080).ToString(), inbound.GetProperty("endpoint").GetString());
        });

        Assert.Equal(IPAddress.IPv6Loopback, Assert.Single(app.Clients).Address);
        await Wait.UntilAsync(async () => await proxyA.MetricAsync("waylay_upstream_cx_active", "service=\"sink.default\"") == 0, "A's connection to close");
        Assert.Equal(1, await proxyA.MetricAsync("waylay_upstream_cx_total", "service=\"sink.default\""));
        Assert.Equal(0, await proxyA.MetricAsync("waylay_upstream_cx_total", "service=\"passthrough\""));
        await Wait.UntilAsync(async () => await proxyB.MetricAsync("waylay_upstream_cx_total", "service=\"inbound\"") == 1, "B to count the inbound connection");
    }

    [NetnsFact]
    public async Task Ipv6InboundToPodIp_ReachesAnAppListeningOnlyOnThePodIp_FromColonColon6()
    {
        var (client, server) = await PairAsync();
        await using var _ = client;
        await using var __ = server;
        await server.CaptureAsync([.. TestPod.StandardCapture, "--ipv6"]);
        var proxy = await server.StartProxyAsync("--inbound-to", "pod-ip");
        using var app = server.Serve(new IPEndPoint(PodB6, 9042), TestServer.Echo);

        using (var socket = await client.ConnectAsync(new IPEndPoint(PodB6, 9042)))
        {
            await socket.SendAsync("cql over v6"u8.ToArray(), SocketFlags.None);
            socket.Shutdown(SocketShutdown.Send);
            Assert.Equal("cql over v6", Encoding.ASCII.GetString(await TestData.ReadToEndAsync(socket)));
        }

        Assert.Equal(IPAddress.Parse("::6"), Assert.Single(app.Clients).Address);
        await Wait.UntilAsync(async () => await proxy.MetricAsync("waylay_upstream_cx_total", "service=\"inbound\"") == 1, "the inbound connection to be counted");
    }

    /// <summary>Two pods with IPv4 and IPv6 addresses on their veth pair, each with a v6 default route out of eth0.</summary>
    private static async Task<(TestPod A, TestPod B)> PairAsync()
    {
        var (a, b) = await TestPod.CreatePairAsync("10.244.1.2/24", "10.244.1.3/24");
        try
        {
            await a.AddIpv6Async($"{PodA6}/64");
            await b.AddIpv6Async($"{PodB6}/64");
            return (a, b);
        }
        catch
        {
            await a.DisposeAsync();
            await b.DisposeAsync();
            throw;
        }
    }
}
