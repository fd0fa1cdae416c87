using System.Net;
using System.Net.Sockets;
using System.Text;
using Waylay.TestKit;
using Xunit;

namespace Waylay.Proxy.Tests.Kernel;

public sealed class InboundTests
{
    /// <summary>Istio ≥ 1.10: apps that bind only the pod IP (Cassandra, ZooKeeper, Kafka) still get their traffic.</summary>
    [NetnsFact]
    public async Task InboundToPodIp_ReachesAnAppListeningOnlyOnThePodIp_From127_0_0_6()
    {
        var (client, server) = await TestPod.CreatePairAsync("10.244.1.2/24", "10.244.1.3/24");
        await using var _ = client;
        await using var __ = server;
        await server.CaptureAsync(TestPod.StandardCapture);
        await server.StartProxyAsync("--inbound-to", "pod-ip");
        using var app = server.Serve(new IPEndPoint(server.Ip, 9042), TestServer.Echo);

        using (var socket = await client.ConnectAsync(new IPEndPoint(server.Ip, 9042)))
        {
            await socket.SendAsync("cql"u8.ToArray(), SocketFlags.None);
            socket.Shutdown(SocketShutdown.Send);
            Assert.Equal("cql", Encoding.ASCII.GetString(await TestData.ReadToEndAsync(socket)));
        }

        Assert.Equal(IPAddress.Parse("127.0.0.6"), Assert.Single(app.Clients).Address);
        Assert.Equal(1, await server.Proxy!.MetricAsync("waylay_downstream_cx_total", "listener=\"inbound\""));
    }

    /// <summary>The seed's layout redirects inbound to 15001 too: the proxy tells it by the pod's own address.</summary>
    [NetnsFact]
    public async Task SeedSinglePortLayout_InboundOnTheOutboundPort_GoesToTheApp()
    {
        var (client, server) = await TestPod.CreatePairAsync("10.244.1.2/24", "10.244.1.3/24");
        await using var _ = client;
        await using var __ = server;
        await server.CaptureAsync("-p", "15001", "-z", "15001", "-u", "1337", "-m", "REDIRECT", "-i", "*", "-b", "*");
        await server.StartProxyAsync("sidecar", "--configPath", "/etc/istio/proxy", "--binaryPath", "/usr/local/bin/envoy", "--serviceCluster", "productpage",
            "--drainDuration", "45s", "--parentShutdownDuration", "1m0s", "--discoveryAddress", "istio-pilot.istio-system:15007", "--discoveryRefreshDelay", "10s",
            "--zipkinAddress", "zipkin.istio-system:9411", "--connectTimeout", "10s", "--statsdUdpAddress", "istio-statsd-prom-bridge.istio-system:9125",
            "--proxyAdminPort", "15000", "--controlPlaneAuthPolicy", "NONE");
        using var app = server.Serve(new IPEndPoint(IPAddress.IPv6Any, 9080), TestServer.Echo);

        using (var socket = await client.ConnectAsync(new IPEndPoint(server.Ip, 9080)))
        {
            await socket.SendAsync("productpage"u8.ToArray(), SocketFlags.None);
            socket.Shutdown(SocketShutdown.Send);
            Assert.Equal("productpage", Encoding.ASCII.GetString(await TestData.ReadToEndAsync(socket)));
        }

        Assert.Equal(IPAddress.Loopback, Assert.Single(app.Clients).Address);
        Assert.Equal(1, await server.Proxy!.MetricAsync("waylay_downstream_cx_total", "listener=\"outbound\""));
        Assert.Equal(1, await server.Proxy.MetricAsync("waylay_upstream_cx_total", "service=\"inbound\""));
        Assert.Contains("--statsdUdpAddress", server.Proxy.Output);
    }
}
