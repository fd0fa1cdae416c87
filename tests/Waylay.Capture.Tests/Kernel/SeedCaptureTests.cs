using System.Net;
using Waylay.TestKit;
using Xunit;

namespace Waylay.Capture.Tests.Kernel;

/// <summary>
/// The seed's init container arguments, verbatim, applied by the real `waylay capture` in a namespace, on each backend:
/// the traffic the seed traces is hijacked exactly as it describes.
/// </summary>
public sealed class SeedCaptureTests
{
    private static readonly string[] SeedArgs = ["-p", "15001", "-u", "1337", "-m", "REDIRECT", "-i", "*", "-x", "", "-b", "9080,", "-d", ""];

    public static TheoryData<string> Backends => new() { "iptables-nft", "iptables-legacy", "nft" };

    [NetnsTheory]
    [MemberData(nameof(Backends))]
    public async Task SeedArguments_HijackWhatTheSeedTraces(string backend)
    {
        await using var lab = await CaptureLab.CreateAsync();
        await lab.Pod.CaptureAsync([.. SeedArgs, "--backend", backend, "--verify"]);

        var service = new IPEndPoint(CaptureLab.ServiceIp, 9080);

        // The app (any uid but 1337) calling a service: redirected to the proxy, which sees where it was going.
        var app = await lab.ConnectOutAsync(service, uid: 0, gid: 0);
        Assert.Equal("pod:15001", app.Where);
        Assert.Equal(service, app.OriginalDestination);
        Assert.Equal("pod:15001", (await lab.ConnectOutAsync(new IPEndPoint(CaptureLab.PeerIp, 3306), uid: 1000, gid: 1000)).Where);

        // The proxy's own traffic, by uid or by gid, is never captured: no loop.
        Assert.Equal("peer:9080", (await lab.ConnectOutAsync(service, uid: 1337, gid: 1337)).Where);
        Assert.Equal("peer:9080", (await lab.ConnectOutAsync(service, uid: 1000, gid: 1337)).Where);

        // 127.0.0.1 is left alone.
        Assert.Equal("pod:8080", (await lab.ConnectOutAsync(new IPEndPoint(IPAddress.Loopback, 8080))).Where);

        // Inbound to 9080 goes to the proxy (-z defaults to 15006, as in istio-iptables); other ports go to the app.
        var inbound = await lab.ConnectInAsync(new IPEndPoint(CaptureLab.PodIp, 9080));
        Assert.Equal("pod:15006", inbound.Where);
        Assert.Equal(new IPEndPoint(CaptureLab.PodIp, 9080), inbound.OriginalDestination);
        Assert.Equal("pod:8080", (await lab.ConnectInAsync(new IPEndPoint(CaptureLab.PodIp, 8080))).Where);
    }

    [NetnsFact]
    public async Task SeedSinglePortLayout_InboundOn15001_Works()
    {
        await using var lab = await CaptureLab.CreateAsync();
        await lab.Pod.CaptureAsync([.. SeedArgs, "-z", "15001"]);
        var inbound = await lab.ConnectInAsync(new IPEndPoint(CaptureLab.PodIp, 9080));
        Assert.Equal("pod:15001", inbound.Where);
        Assert.Equal(new IPEndPoint(CaptureLab.PodIp, 9080), inbound.OriginalDestination);
    }
}
