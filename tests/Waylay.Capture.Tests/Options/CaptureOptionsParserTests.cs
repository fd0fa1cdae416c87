using System.Net;
using Waylay.Capture.Options;
using Xunit;

namespace Waylay.Capture.Tests.Options;

public sealed class CaptureOptionsParserTests
{
    private static (CaptureOptions? Options, IReadOnlyList<CaptureOptionError> Errors) Parse(CaptureArguments args, Dictionary<string, string>? env = null) =>
        CaptureOptionsParser.Parse(args, name => env is not null && env.TryGetValue(name, out var v) ? v : null);

    [Fact]
    public void SeedArguments_TrailingCommaAndEmptyStrings_MeanWhatIstioMadeOfThem()
    {
        var (options, errors) = Parse(new CaptureArguments
        {
            OutboundCapturePort = "15001", ProxyUid = "1337", Mode = "REDIRECT", OutboundCidrs = "*", OutboundCidrsExclude = "",
            InboundPorts = "9080,", InboundPortsExclude = "",
        });

        Assert.Empty(errors);
        Assert.Equal(15001, options!.OutboundCapturePort);
        Assert.Equal(15006, options.InboundCapturePort);
        Assert.Equal([1337u], options.ProxyUids);
        Assert.Equal([1337u], options.ProxyGids);
        Assert.Equal(new PortSelection(false, [9080]), options.InboundPorts);
        Assert.Empty(options.InboundPortsExclude);
        Assert.True(options.OutboundCidrs.All);
        Assert.Empty(options.OutboundCidrsExclude);
    }

    [Fact]
    public void Defaults_AreIstioIptables()
    {
        var (options, errors) = Parse(new CaptureArguments());
        Assert.Empty(errors);
        Assert.Equal(15001, options!.OutboundCapturePort);
        Assert.Equal(15006, options.InboundCapturePort);
        Assert.Equal(InterceptionMode.Redirect, options.Mode);
        Assert.True(options.InboundPorts.IsEmpty);
        Assert.True(options.OutboundCidrs.IsEmpty);
        Assert.Equal(1337u, options.TproxyMark);
        Assert.Equal(133u, options.TproxyRouteTable);
    }

    [Fact]
    public void EnvironmentVariables_FillFlagsThatWereNotGiven()
    {
        var (options, _) = Parse(new CaptureArguments { InboundPorts = "8080" },
            new() { ["ISTIO_INBOUND_PORTS"] = "9999", ["ISTIO_SERVICE_CIDR"] = "*", ["ENVOY_PORT"] = "16001" });
        Assert.Equal([(ushort)8080], options!.InboundPorts.Ports);
        Assert.True(options.OutboundCidrs.All);
        Assert.Equal(16001, options.OutboundCapturePort);
    }

    [Fact]
    public void HostBits_AreClearedLikeIptables()
    {
        var (options, errors) = Parse(new CaptureArguments { OutboundCidrs = "10.0.0.1/8, fd00::1/64 ,10.96.0.10" });
        Assert.Empty(errors);
        Assert.Equal(
            [IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("fd00::/64"), IPNetwork.Parse("10.96.0.10/32")],
            options!.OutboundCidrs.Networks);
    }

    [Theory]
    [InlineData("-p/--envoy-port", "0")]
    [InlineData("-p/--envoy-port", "65536")]
    [InlineData("-p/--envoy-port", "http")]
    [InlineData("-b/--istio-inbound-ports", "9080,-1")]
    [InlineData("-i/--istio-service-cidr", "10.0.0.0/33")]
    [InlineData("-x/--istio-service-exclude-cidr", "not-a-cidr")]
    [InlineData("-x/--istio-service-exclude-cidr", "*")]
    [InlineData("-m/--istio-inbound-interception-mode", "NAT")]
    [InlineData("-u/--proxy-uid", "istio-proxy")]
    [InlineData("-c/--exclude-interfaces", "a-very-long-interface-name")]
    [InlineData("--backend", "pf")]
    public void BadValue_IsRejected_NamingFlagAndValue(string flag, string value)
    {
        var args = flag switch
        {
            "-p/--envoy-port" => new CaptureArguments { OutboundCapturePort = value },
            "-b/--istio-inbound-ports" => new CaptureArguments { InboundPorts = value },
            "-i/--istio-service-cidr" => new CaptureArguments { OutboundCidrs = value },
            "-x/--istio-service-exclude-cidr" => new CaptureArguments { OutboundCidrsExclude = value },
            "-m/--istio-inbound-interception-mode" => new CaptureArguments { Mode = value },
            "-u/--proxy-uid" => new CaptureArguments { ProxyUid = value },
            "-c/--exclude-interfaces" => new CaptureArguments { ExcludeInterfaces = value },
            _ => new CaptureArguments { Backend = value },
        };

        var (options, errors) = Parse(args);
        Assert.Null(options);
        var error = Assert.Single(errors);
        Assert.Equal(flag, error.Flag);
        Assert.Contains(value.Split(',')[^1], error.ToString());
    }

    [Fact]
    public void EveryError_IsReportedAtOnce()
    {
        var (_, errors) = Parse(new CaptureArguments { OutboundCapturePort = "x", InboundCapturePort = "0", Mode = "y", ProxyUid = "z" });
        Assert.Equal(4, errors.Count);
    }

    [Fact]
    public void Tproxy_WithTheSamePortBothWays_IsRejected()
    {
        var (_, errors) = Parse(new CaptureArguments { Mode = "TPROXY", InboundCapturePort = "15001" });
        Assert.Contains(errors, e => e.Flag.StartsWith("-z", StringComparison.Ordinal));
    }

    [Fact]
    public void NativeNftables_IsTheNftBackend_AndConflictsWithAnIptablesBackend()
    {
        Assert.Equal(BackendKind.Nft, Parse(new CaptureArguments { NativeNftables = true }).Options!.Backend);
        Assert.Equal(BackendKind.Nft, Parse(new CaptureArguments { NativeNftables = true, Backend = "nft" }).Options!.Backend);
        var (options, errors) = Parse(new CaptureArguments { NativeNftables = true, Backend = "iptables-legacy" });
        Assert.Null(options);
        var error = Assert.Single(errors);
        Assert.Equal("--native-nftables", error.Flag);
        Assert.Contains("iptables-legacy", error.ToString(), StringComparison.Ordinal);
    }
}
