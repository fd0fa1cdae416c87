using System.Net;
using Waylay.TestKit;
using Xunit;

namespace Waylay.Proxy.Tests.Kernel;

/// <summary>
/// TPROXY capture (<c>-m TPROXY</c>), as Istio does it: inbound connections are diverted by mangle PREROUTING's TPROXY
/// target to the proxy's transparent listener on 15006, which accepts them on the very address the client dialled
/// (nothing is rewritten); outbound stays nat REDIRECT to 15001, read with SO_ORIGINAL_DST. The proxy runs as root with
/// gid 1337 (IP_TRANSPARENT needs CAP_NET_ADMIN), and capture exempts it by that gid.
/// <code>
///   A: app ─► nat REDIRECT :15001 proxy ─► 10.244.1.3:9080 ═veth═► B: mangle TPROXY :15006 proxy (local 10.244.1.3:9080) ─► 127.0.0.1:9080 app
/// </code>
/// </summary>
public sealed class TproxyTests
{
    private static readonly string[] TproxyCapture = ["-p", "15001", "-z", "15006", "-u", "1337", "-m", "TPROXY", "-i", "*", "-b", "*"];
    private static readonly IPEndPoint Service = new(IPAddress.Parse("10.96.0.10"), 9080);

    [NetnsFact]
    public async Task Tproxy_ServiceAddress_ReachesEndpointThroughBothSidecars_WithTheRightOriginalDestinations_BytesExact()
    {
        var (a, b) = await TestPod.CreatePairAsync("10.244.1.2/24", "10.244.1.3/24");
        await using var _ = a;
        await using var __ = b;
        using var mesh = new MeshFile("""
            version: v1
            services:
            - name: sink
              addresses: [10.96.0.10]
              ports: [{name: tcp, port: 9080}]
              endpoints: [{address: 10.244.1.3}]
            """);
        await a.CaptureAsync(TproxyCapture);
        await b.CaptureAsync(TproxyCapture);
        var proxyA = await a.StartTransparentProxyAsync("--config", mesh.Path);
        var proxyB = await b.StartTransparentProxyAsync();
        var exchange = new CheckedExchange();
        using var app = b.Serve(new IPEndPoint(IPAddress.IPv6Any, 9080), exchange.Server);

        await exchange.RunAsync(a, Service, async () =>
        {
            // A: the outbound REDIRECT's original destination (SO_ORIGINAL_DST), not the listener's local address.
            var outbound = await CheckedExchange.LiveConnectionAsync(proxyA, Service);
            Assert.Equal("outbound", outbound.GetProperty("direction").GetString());
            Assert.Equal("sink.default", outbound.GetProperty("service").GetString());
            Assert.Equal("10.244.1.3:9080", outbound.GetProperty("endpoint").GetString());

            // B: TPROXY delivered it to the inbound listener, accepted on the address A's proxy dialled.
            var inbound = await CheckedExchange.LiveConnectionAsync(proxyB, new IPEndPoint(b.Ip, 9080));
            Assert.Equal("inbound", inbound.GetProperty("direction").GetString());
            Assert.Equal("inbound", inbound.GetProperty("listener").GetString());
            Assert.Equal("10.244.1.3:9080", inbound.GetProperty("downstreamLocal").GetString());
            Assert.Equal("127.0.0.1:9080", inbound.GetProperty("endpoint").GetString());
        });

        Assert.Equal(IPAddress.Loopback, Assert.Single(app.Clients).Address);
        await Wait.UntilAsync(async () => await proxyA.MetricAsync("waylay_upstream_cx_active", "service=\"sink.default\"") == 0, "A's connection to close");
        Assert.Equal(1, await proxyA.MetricAsync("waylay_upstream_cx_total", "service=\"sink.default\""));
        Assert.Equal(0, await proxyA.MetricAsync("waylay_loop_refused_total"));
        Assert.Equal(CheckedExchange.Upload, await proxyA.MetricAsync("waylay_tcp_sent_bytes_total", "service=\"sink.default\""));
        await Wait.UntilAsync(async () => await proxyB.MetricAsync("waylay_upstream_cx_total", "service=\"inbound\"") == 1, "B to count the inbound connection");

        // Root with gid 1337 is what capture exempts in TPROXY mode: no wrong-uid warning (it would precede the start line).
        await Wait.UntilAsync(() => Task.FromResult(proxyA.Output.Contains("waylay proxy ready", StringComparison.Ordinal)), "A's start line");
        Assert.DoesNotContain("running as uid", proxyA.Output);
    }

    /// <summary>The proxy's 127.0.0.6 connection to the pod IP loops back over lo and must not be diverted again.</summary>
    [NetnsFact]
    public async Task Tproxy_InboundToPodIp_ReachesAnAppListeningOnlyOnThePodIp_From127_0_0_6()
    {
        var (client, server) = await TestPod.CreatePairAsync("10.244.1.2/24", "10.244.1.3/24");
        await using var _ = client;
        await using var __ = server;
        await server.CaptureAsync(TproxyCapture);
        var proxy = await server.StartTransparentProxyAsync("--inbound-to", "pod-ip");
        var exchange = new CheckedExchange();
        using var app = server.Serve(new IPEndPoint(server.Ip, 9042), exchange.Server);

        await exchange.RunAsync(client, new IPEndPoint(server.Ip, 9042), async () =>
        {
            var inbound = await CheckedExchange.LiveConnectionAsync(proxy, new IPEndPoint(server.Ip, 9042));
            Assert.Equal("10.244.1.3:9042", inbound.GetProperty("endpoint").GetString());
            Assert.StartsWith("127.0.0.6:", inbound.GetProperty("upstreamLocal").GetString());
        });

        Assert.Equal(IPAddress.Parse("127.0.0.6"), Assert.Single(app.Clients).Address);
        Assert.Equal(0, await proxy.MetricAsync("waylay_loop_refused_total"));
    }
}
