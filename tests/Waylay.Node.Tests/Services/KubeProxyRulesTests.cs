using System.Net;
using Waylay.Mesh;
using Waylay.Node.Services;

namespace Waylay.Node.Tests.Services;

public sealed class KubeProxyRulesTests
{
    private static readonly Dictionary<string, string> NoLabels = [];

    /// <summary>Chain names as a kubeadm cluster's kube-proxy writes them (seen in its iptables-save).</summary>
    [Theory]
    [InlineData("default/kubernetes:https", "tcp", "KUBE-SVC-NPX46M4PTMTKRN6Y")]
    [InlineData("kube-system/kube-dns:dns", "udp", "KUBE-SVC-TCOU7JCQXEZGVUNU")]
    [InlineData("kube-system/kube-dns:dns-tcp", "tcp", "KUBE-SVC-ERIFXISQEP7F7OF4")]
    [InlineData("default/test-svc", "tcp", "KUBE-SVC-QKNQQNIN727HO3XU")]
    public void ServiceChain_IsKubeProxysHash(string portName, string protocol, string chain) =>
        Assert.Equal(chain, KubeProxyRules.ServiceChain(portName, protocol));

    [Fact]
    public void Probability_IsOneOverTheEndpointsLeft_TenDecimals()
    {
        Assert.Equal("0.3333333333", KubeProxyRules.Probability(3));
        Assert.Equal("0.5000000000", KubeProxyRules.Probability(2));
    }

    [Fact]
    public void Rules_MatchGolden()
    {
        Service[] services =
        [
            new("details", "default", [IPAddress.Parse("10.96.0.11")], [new ServicePort("http", 9080, 9080)],
                [new(IPAddress.Parse("10.244.1.2"), new Dictionary<string, ushort>(), NoLabels),
                 new(IPAddress.Parse("10.244.1.3"), new Dictionary<string, ushort> { ["http"] = 9081 }, NoLabels),
                 new(IPAddress.Parse("10.244.1.4"), new Dictionary<string, ushort>(), NoLabels, EndpointHealth.Unhealthy)]),
            new("ratings", "default", [IPAddress.Parse("10.96.0.12")], [new ServicePort("http", 9080, 9080)], []),
            new("kube-dns", "kube-system", [IPAddress.Parse("10.96.0.10")],
                [new ServicePort("dns", 53, 53, TransportProtocol.Udp), new ServicePort("dns-tcp", 53, 53)],
                [new(IPAddress.Parse("10.244.1.5"), new Dictionary<string, ushort>(), NoLabels)]),
        ];
        var previous = new HashSet<string>(StringComparer.Ordinal) { "KUBE-SVC-GONEGONEGONEGONE", "KUBE-SERVICES" };

        var (text, chains) = KubeProxyRules.Render(services, previous);

        Assert.DoesNotContain("KUBE-SVC-GONEGONEGONEGONE", chains);
        Assert.Contains("-X KUBE-SVC-GONEGONEGONEGONE\n", text);
        var golden = Path.Combine(SourceDirectory(), "Golden", "cluster.iptables");
        if (Environment.GetEnvironmentVariable("WAYLAY_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(golden, text);
        }

        Assert.True(File.Exists(golden), $"{golden} is missing; run the tests once with WAYLAY_UPDATE_GOLDEN=1");
        Assert.Equal(File.ReadAllText(golden), text);
    }

    [Fact]
    public void MasqueradeAll_MarksEveryClientOfAClusterIp_NotOnlyOffClusterOnes()
    {
        Service[] services =
        [
            new("productpage", "default", [IPAddress.Parse("10.96.0.11")], [new ServicePort("http", 9080, 9080)],
                [new(IPAddress.Parse("10.244.1.2"), new Dictionary<string, ushort>(), NoLabels)]),
        ];
        var svc = KubeProxyRules.ServiceChain("default/productpage:http", "tcp");
        var match = "-m tcp -p tcp -d 10.96.0.11/32 --dport 9080";

        var (normal, _) = KubeProxyRules.Render(services, new HashSet<string>());
        var (all, _) = KubeProxyRules.Render(services, new HashSet<string>(), masqueradeAll: true);

        Assert.Contains($"-A {svc} -m comment --comment \"default/productpage:http cluster IP\" {match} ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ\n", normal);
        Assert.Contains($"-A {svc} -m comment --comment \"default/productpage:http cluster IP\" {match} -j KUBE-MARK-MASQ\n", all);
        Assert.DoesNotContain("! -s 10.244.0.0/16", all);
    }

    private static string SourceDirectory([System.Runtime.CompilerServices.CallerFilePath] string path = "") =>
        Path.GetDirectoryName(path)!;
}
