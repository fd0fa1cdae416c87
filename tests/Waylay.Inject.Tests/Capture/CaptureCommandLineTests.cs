using Waylay.Inject.Capture;
using Waylay.Inject.Values;
using static Waylay.Inject.Tests.InjectTestKit;

namespace Waylay.Inject.Tests.Capture;

public sealed class CaptureCommandLineTests
{
    private static Dictionary<string, string> Flags(string annotations, InjectionValues? values = null)
    {
        var result = InjectYaml(PodWithAnnotations(annotations), values);
        Assert.Equal(InjectionDecision.Injected, result.Decision);
        return IstioIptablesFlags.Parse(Args(Container(result.Pod, "waylay-init", "initContainers")));
    }

    [Fact]
    public void Defaults_AreIstiosSince13()
    {
        var flags = Flags("{}");
        Assert.Equal("15001", flags["-p"]);
        Assert.Equal("15006", flags["-z"]);
        Assert.Equal("1337", flags["-u"]);
        Assert.Equal("REDIRECT", flags["-m"]);
        Assert.Equal("*", flags["-i"]);
        Assert.Equal("", flags["-x"]);
        Assert.Equal("*", flags["-b"]);
        Assert.Equal("15090,15021,15020", flags["-d"]);
        Assert.False(flags.ContainsKey("-q"));
        Assert.False(flags.ContainsKey("-o"));
        Assert.False(flags.ContainsKey("-g"));
    }

    [Fact]
    public void DeclaredInboundPorts_ComeFromContainerPorts_LikeTheSeed()
    {
        var flags = Flags("{}", InjectionValues.Default with { InboundPorts = InboundPortsMode.Declared });
        Assert.Equal([8080, 8443], IstioIptablesFlags.Ports(flags["-b"]));
    }

    [Theory]
    [InlineData("traffic.sidecar.waylay.io/includeInboundPorts: \"9000,9001\"", "-b", "9000,9001")]
    [InlineData("traffic.sidecar.istio.io/includeInboundPorts: \"9000\"", "-b", "9000")]
    [InlineData("traffic.sidecar.istio.io/includeInboundPorts: \"\"", "-b", "")]
    [InlineData("traffic.sidecar.waylay.io/excludeInboundPorts: \"8443\"", "-d", "15090,15021,8443,15020")]
    [InlineData("traffic.sidecar.istio.io/excludeInboundPorts: \"15021, 7000\"", "-d", "15090,15021,7000,15020")]
    [InlineData("traffic.sidecar.waylay.io/includeOutboundIPRanges: \"10.96.0.0/12\"", "-i", "10.96.0.0/12")]
    [InlineData("traffic.sidecar.istio.io/excludeOutboundIPRanges: \"169.254.169.254/32,10.0.0.0/8\"", "-x", "169.254.169.254/32,10.0.0.0/8")]
    [InlineData("traffic.sidecar.waylay.io/includeOutboundPorts: \"5432\"", "-q", "5432")]
    [InlineData("traffic.sidecar.istio.io/excludeOutboundPorts: \"6379,11211\"", "-o", "6379,11211")]
    [InlineData("sidecar.waylay.io/interceptionMode: TPROXY", "-m", "TPROXY")]
    [InlineData("sidecar.istio.io/interceptionMode: REDIRECT", "-m", "REDIRECT")]
    [InlineData("status.sidecar.istio.io/port: \"0\"", "-d", "15090,15021")]
    [InlineData("status.sidecar.istio.io/port: \"15999\"", "-d", "15090,15021,15999")]
    public void Annotation_MapsToItsFlag(string annotation, string flag, string expected)
    {
        Assert.Equal(expected, Flags(annotation)[flag]);
    }

    [Fact]
    public void WaylayName_WinsOverIstioAlias_WithAWarning()
    {
        var result = InjectYaml(PodWithAnnotations("""
            traffic.sidecar.waylay.io/excludeOutboundPorts: "1111"
            traffic.sidecar.istio.io/excludeOutboundPorts: "2222"
            """));
        Assert.Equal("1111", IstioIptablesFlags.Parse(Args(Container(result.Pod, "waylay-init", "initContainers")))["-o"]);
        Assert.Contains(result.Warnings, w => w.Contains("disagree", StringComparison.Ordinal));
    }

    [Fact]
    public void ValuesWithAnotherGid_PassDashG()
    {
        var flags = Flags("{}", InjectionValues.Default with { ProxyGid = 1338 });
        Assert.Equal("1338", flags["-g"]);
    }

    [Fact]
    public void OutboundPortValues_AddDashQAndDashO()
    {
        var errors = new List<string>();
        var flags = Flags("{}", InjectionValues.Default with
        {
            IncludeOutboundPorts = CaptureValues.Ports("80,443", false, "v", errors),
            ExcludeOutboundPorts = CaptureValues.Ports("25", false, "v", errors),
        });
        Assert.Empty(errors);
        Assert.Equal("80,443", flags["-q"]);
        Assert.Equal("25", flags["-o"]);
    }

    [Fact]
    public void InitContainer_HasOnlyNetAdminAndNetRaw_AsRoot()
    {
        var result = InjectYaml(PodWithAnnotations("{}"));
        var security = Container(result.Pod, "waylay-init", "initContainers")["securityContext"]!;
        Assert.Equal(["NET_ADMIN", "NET_RAW"], security["capabilities"]!["add"]!.AsArray().Select(c => c!.GetValue<string>()));
        Assert.Equal(["ALL"], security["capabilities"]!["drop"]!.AsArray().Select(c => c!.GetValue<string>()));
        Assert.Equal(0, security["runAsUser"]!.GetValue<int>());
        Assert.False(security["runAsNonRoot"]!.GetValue<bool>());
        Assert.False(security["privileged"]!.GetValue<bool>());
        Assert.False(security["allowPrivilegeEscalation"]!.GetValue<bool>());
    }
}
