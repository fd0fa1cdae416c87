using Waylay.Capture.Explain;
using Waylay.Capture.Options;
using Waylay.Capture.Plan;
using Xunit;

namespace Waylay.Capture.Tests.Explain;

public sealed class PacketClassifierTests
{
    private static readonly RulePlan Seed = RulePlanner.Plan(CaptureOptionsParser.Parse(new CaptureArguments
    {
        OutboundCapturePort = "15001", ProxyUid = "1337", Mode = "REDIRECT", OutboundCidrs = "*", InboundPorts = "9080,",
    }, _ => null).Options!);

    [Fact]
    public void AppCallingAService_GoesThroughTheCatchAllToTheOutboundListener()
    {
        var verdict = PacketClassifier.Classify(Seed, Packet.Parse("out tcp uid=0 dst=10.96.0.20:9080"));
        Assert.Equal(VerdictKind.Redirected, verdict.Kind);
        Assert.Equal(15001, verdict.Port);
        Assert.Equal("OUTPUT → ISTIO_OUTPUT #9 → ISTIO_REDIRECT #1 → REDIRECT :15001", PacketClassifier.Path(verdict));
        Assert.All(verdict.Steps, s => Assert.False(string.IsNullOrWhiteSpace(s.Rule.Reason)));
    }

    [Theory]
    [InlineData("out tcp uid=1337 dst=10.96.0.20:9080", "OUTPUT → ISTIO_OUTPUT #4 → ACCEPT")]
    [InlineData("out tcp uid=1000 gid=1337 dst=10.96.0.20:9080", "OUTPUT → ISTIO_OUTPUT #7 → ACCEPT")]
    [InlineData("out tcp uid=0 dst=127.0.0.1:8080", "OUTPUT → ISTIO_OUTPUT #3 → ACCEPT")]
    [InlineData("out udp uid=0 dst=10.96.0.10:53", "ACCEPT")]
    [InlineData("in tcp iif=eth0 dst=10.244.1.5:8080", "PREROUTING → ACCEPT")]
    public void NotCaptured(string packet, string path)
    {
        var verdict = PacketClassifier.Classify(Seed, Packet.Parse(packet));
        Assert.Equal(VerdictKind.NotCaptured, verdict.Kind);
        Assert.Equal(path, PacketClassifier.Path(verdict));
    }

    [Fact]
    public void Inbound9080_GoesToTheInboundListener()
    {
        var verdict = PacketClassifier.Classify(Seed, Packet.Parse("in tcp iif=eth0 src=10.244.1.1 dst=10.244.1.5:9080"));
        Assert.Equal(VerdictKind.Redirected, verdict.Kind);
        Assert.Equal(15006, verdict.Port);
        Assert.Equal("PREROUTING → ISTIO_INBOUND #1 → ISTIO_IN_REDIRECT #1 → REDIRECT :15006", PacketClassifier.Path(verdict));
    }

    [Fact]
    public void ProxyCallingItsOwnPodThroughLo_IsInbound()
    {
        var verdict = PacketClassifier.Classify(Seed, Packet.Parse("out tcp uid=1337 dst=10.244.1.5:9080 oif=lo"));
        Assert.Equal(VerdictKind.Redirected, verdict.Kind);
        Assert.Equal(15006, verdict.Port);
    }

    private static readonly RulePlan Tproxy = RulePlanner.Plan(CaptureOptionsParser.Parse(new CaptureArguments
    {
        Mode = "TPROXY", OutboundCidrs = "*", InboundPorts = "*", OutboundPortsExclude = "3306",
    }, _ => null).Options!);

    [Fact]
    public void Tproxy_ProxyCallingItsPodIpOnAPortNatLetsThrough_IsMarked_AndTproxiedWhenItLoopsBack()
    {
        var verdict = PacketClassifier.Classify(Tproxy, Packet.Parse("out tcp uid=1337 dst=10.244.1.5:3306 oif=lo"));
        Assert.Equal(VerdictKind.Tproxied, verdict.Kind);
        Assert.Equal(15006, verdict.Port);
        Assert.Contains(verdict.Steps, s => s.Rule.Target is MarkTarget { Mark: RulePlanner.ProxyLoopbackMark });
    }

    [Theory]
    [InlineData("out tcp uid=1000 dst=10.244.1.5:3306 oif=lo")]
    [InlineData("out tcp uid=1000 dst=10.244.1.5:9080 oif=lo")]
    [InlineData("out tcp uid=1337 src=127.0.0.6 dst=10.244.1.5:9080 oif=lo")]
    public void Tproxy_OtherPacketsLoopingBackOverLo_AreNotCapturedAgain(string packet)
    {
        var verdict = PacketClassifier.Classify(Tproxy, Packet.Parse(packet));
        Assert.Equal(VerdictKind.NotCaptured, verdict.Kind);
        Assert.Contains(verdict.Steps, s => s.Rule.Chain == ChainNames.IstioInbound && s.Rule.Target is ReturnTarget);
    }

    [Fact]
    public void Ipv6_WithoutIpv6Rules_IsNotCaptured_AndSaysWhy()
    {
        var verdict = PacketClassifier.Classify(Seed, Packet.Parse("out tcp uid=0 dst=[fd00::20]:9080"));
        Assert.Equal(VerdictKind.NotCaptured, verdict.Kind);
        Assert.Contains("--ipv6", verdict.Summary);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("sideways tcp dst=1.2.3.4:80", "direction")]
    [InlineData("out tcp", "destination")]
    [InlineData("out tcp dst=1.2.3.4", "address:port")]
    [InlineData("out tcp uid=root dst=1.2.3.4:80", "numeric")]
    [InlineData("out tcp colour=red dst=1.2.3.4:80", "unknown field")]
    [InlineData("in tcp oif=eth0 dst=1.2.3.4:80", "iif")]
    public void MalformedPacket_IsRejectedWithTheFix(string text, string hint)
    {
        var error = Assert.Throws<FormatException>(() => Packet.Parse(text));
        Assert.Contains(hint, error.Message);
    }
}
