using System.Net;
using Waylay.TestKit;
using Xunit;

namespace Waylay.Capture.Tests.Kernel;

/// <summary>TPROXY and IPv6 for real: what each mode hands the proxy, and that IPv6 keeps working around the rules.</summary>
public sealed class ModeTests
{
    [NetnsTheory]
    [InlineData("iptables-nft")]
    [InlineData("nft")]
    public async Task Tproxy_HandsTheTransparentListenerTheUnrewrittenDestination(string backend)
    {
        await using var lab = await CaptureLab.CreateAsync();
        await lab.Pod.CaptureAsync("-m", "TPROXY", "-b", "*", "-d", "15021", "-i", "*", "-o", "3306", "--ipv6", "--backend", backend, "--verify");

        var inbound = await lab.ConnectInAsync(new IPEndPoint(CaptureLab.PodIp, 9080));
        Assert.Equal("pod:15006", inbound.Where);
        Assert.Equal(new IPEndPoint(CaptureLab.PodIp, 9080), inbound.LocalEndPoint);

        Assert.Equal("pod:15021", (await lab.ConnectInAsync(new IPEndPoint(CaptureLab.PodIp, 15021))).Where);
        Assert.Equal("pod:15001", (await lab.ConnectOutAsync(new IPEndPoint(CaptureLab.ServiceIp, 9080))).Where);

        // The proxy's passthrough to an app on the pod IP (from 127.0.0.6) must reach the app, not the proxy again.
        var passthrough = await lab.ConnectOutAsync(new IPEndPoint(CaptureLab.PodIp, 9080), uid: 1337, gid: 1337, source: IPAddress.Parse("127.0.0.6"));
        Assert.Equal("pod:9080", passthrough.Where);

        var passthrough6 = await lab.ConnectOutAsync(new IPEndPoint(CaptureLab.PodIp6, 9080), uid: 1337, gid: 1337, source: IPAddress.Parse("::6"));
        Assert.Equal("pod:9080", passthrough6.Where);

        // Istio: the proxy calling its own pod IP reaches its inbound listener, even on a port nat lets through (-o):
        // mangle OUTPUT marks its packets 1338, so they are TPROXYed when they loop back; an app's are not.
        foreach (var podIp in new[] { CaptureLab.PodIp, CaptureLab.PodIp6 })
        {
            var self = await lab.ConnectOutAsync(new IPEndPoint(podIp, 3306), uid: 1337, gid: 1337);
            Assert.Equal("pod:15006", self.Where);
            Assert.Equal(new IPEndPoint(podIp, 3306), self.LocalEndPoint);
            Assert.Equal("pod:3306", (await lab.ConnectOutAsync(new IPEndPoint(podIp, 3306), uid: 1000, gid: 1000)).Where);
            Assert.Equal("pod:15006", (await lab.ConnectOutAsync(new IPEndPoint(podIp, 9080), uid: 1337, gid: 1337)).Where);
            Assert.Equal("pod:9080", (await lab.ConnectOutAsync(new IPEndPoint(podIp, 9080), uid: 1000, gid: 1000)).Where);
        }

        var routes = await lab.Pod.RunAsync("ip", "rule", "show");
        Assert.Contains("fwmark 0x539 lookup 133", routes.StandardOutput);
    }

    [NetnsTheory]
    [InlineData("iptables-nft")]
    [InlineData("iptables-legacy")]
    [InlineData("nft")]
    public async Task Ipv6_IsCapturedBothWays_AndNeighbourDiscoveryStillWorks(string backend)
    {
        await using var lab = await CaptureLab.CreateAsync();
        await lab.Pod.CaptureAsync("-i", "*", "-b", "9080", "--ipv6", "--drop-invalid", "--backend", backend, "--verify");

        var service = new IPEndPoint(CaptureLab.ServiceIp6, 9080);
        var outbound = await lab.ConnectOutAsync(service);
        Assert.Equal("pod:15001", outbound.Where);
        Assert.Equal(service, outbound.OriginalDestination);

        var inbound = await lab.ConnectInAsync(new IPEndPoint(CaptureLab.PodIp6, 9080));
        Assert.Equal("pod:15006", inbound.Where);
        Assert.Equal(new IPEndPoint(CaptureLab.PodIp6, 9080), inbound.OriginalDestination);

        // Reaching the peer at all needs ICMPv6 neighbour discovery across the veth: the rules never touch it.
        await lab.Pod.RunAsync("ip", "-6", "neigh", "flush", "all");
        Assert.Equal("peer:9080", (await lab.ConnectOutAsync(new IPEndPoint(CaptureLab.PeerIp6, 9080), uid: 1337, gid: 1337)).Where);
        var neighbours = await lab.Pod.RunAsync("ip", "-6", "neigh", "show", "dev", "eth0");
        Assert.Contains("fd00:244:1::1", neighbours.StandardOutput);
    }

    [NetnsFact]
    public async Task WithoutIpv6Flag_Ipv6IsLeftAlone()
    {
        await using var lab = await CaptureLab.CreateAsync();
        await lab.Pod.CaptureAsync("-i", "*", "-b", "*");
        Assert.Equal("peer:9080", (await lab.ConnectOutAsync(new IPEndPoint(CaptureLab.ServiceIp6, 9080))).Where);
        Assert.Equal("pod:9080", (await lab.ConnectInAsync(new IPEndPoint(CaptureLab.PodIp6, 9080))).Where);
    }

    [NetnsFact]
    public async Task OutboundFlags_EachDoWhatIstioDoes()
    {
        await using var lab = await CaptureLab.CreateAsync();
        await lab.Pod.CaptureAsync("-i", "10.96.0.0/16", "-x", "10.96.0.10/32", "-q", "3306", "-o", "25", "-b", "*", "-d", "8080");

        Assert.Equal("pod:15001", (await lab.ConnectOutAsync(new IPEndPoint(CaptureLab.ServiceIp, 9080))).Where);      // -i
        Assert.Equal("peer:9080", (await lab.ConnectOutAsync(new IPEndPoint(CaptureLab.OtherServiceIp, 9080))).Where); // -x
        Assert.Equal("peer:9080", (await lab.ConnectOutAsync(new IPEndPoint(CaptureLab.PeerIp, 9080))).Where);         // outside -i
        Assert.Equal("pod:15001", (await lab.ConnectOutAsync(new IPEndPoint(CaptureLab.PeerIp, 3306))).Where);         // -q
        Assert.Equal("peer:25", (await lab.ConnectOutAsync(new IPEndPoint(CaptureLab.ServiceIp, 25))).Where);          // -o
        Assert.Equal("pod:8080", (await lab.ConnectInAsync(new IPEndPoint(CaptureLab.PodIp, 8080))).Where);            // -d
        Assert.Equal("pod:22", (await lab.ConnectInAsync(new IPEndPoint(CaptureLab.PodIp, 22))).Where);                // ssh
        Assert.Equal("pod:15006", (await lab.ConnectInAsync(new IPEndPoint(CaptureLab.PodIp, 3306))).Where);           // -b *

        // The app calling its own pod IP goes straight to itself; the proxy doing so comes back in as inbound.
        Assert.Equal("pod:9080", (await lab.ConnectOutAsync(new IPEndPoint(CaptureLab.PodIp, 9080), uid: 0)).Where);
        Assert.Equal("pod:15006", (await lab.ConnectOutAsync(new IPEndPoint(CaptureLab.PodIp, 9080), uid: 1337, gid: 1337)).Where);
    }

    [NetnsFact]
    public async Task ExcludedInterface_IsNeverCaptured()
    {
        await using var lab = await CaptureLab.CreateAsync();
        await lab.Pod.CaptureAsync("-i", "*", "-b", "*", "-c", "eth0");
        Assert.Equal("peer:9080", (await lab.ConnectOutAsync(new IPEndPoint(CaptureLab.ServiceIp, 9080))).Where);
        Assert.Equal("pod:9080", (await lab.ConnectInAsync(new IPEndPoint(CaptureLab.PodIp, 9080))).Where);
    }

    [NetnsFact]
    public async Task VirtualInterface_TrafficArrivingThereIsOutbound()
    {
        await using var lab = await CaptureLab.CreateAsync();
        await lab.AddVmAsync();
        var service = new IPEndPoint(CaptureLab.ServiceIp, 9080);

        // Without -k the VM's connection is just inbound traffic for the pod.
        await lab.Pod.CaptureAsync("-i", "*", "-b", "*");
        Assert.Equal("pod:15006", (await lab.ConnectFromVmAsync(service)).Where);

        await lab.Pod.CaptureAsync("-i", "*", "-b", "*", "-k", "vnet0", "--verify");
        var landing = await lab.ConnectFromVmAsync(service);
        Assert.Equal("pod:15001", landing.Where);
        Assert.Equal(service, landing.OriginalDestination);
    }
}
