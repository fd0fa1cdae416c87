using System.Net;
using Waylay.Diagnostics.Explain;
using Waylay.Diagnostics.Rules;

namespace Waylay.Diagnostics.Tests.Explain;

/// <summary>
/// The node's nat POSTROUTING walked for a pod's connection, on the rules as iptables-save prints them: kube-proxy's
/// (src/Waylay.Node/Services/KubeProxyRules.cs) and the CNI bridge plugin's with <c>ipMasq</c> (one chain per pod).
/// </summary>
public sealed class NodeEgressTests
{
    private const string KubeProxy = """
        *nat
        :POSTROUTING ACCEPT [0:0]
        :KUBE-POSTROUTING - [0:0]
        :KUBE-MARK-MASQ - [0:0]
        :KUBE-SERVICES - [0:0]
        [0:0] -A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING
        [0:0] -A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
        [0:0] -A KUBE-POSTROUTING -j MARK --xor-mark 0x4000
        [0:0] -A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully
        [0:0] -A KUBE-MARK-MASQ -j MARK --or-mark 0x4000
        [0:0] -A KUBE-SERVICES ! -s 10.244.0.0/16 -d 10.96.0.12/32 -p tcp -m comment --comment "default/details:http cluster IP" -m tcp --dport 9080 -j KUBE-MARK-MASQ
        """;

    private const string BridgeIpMasq = """
        [0:0] -A POSTROUTING -s 10.244.2.4/32 -m comment --comment "name: \"wl-ab12-node2\" id: \"wl-ab12-ratings-v1-1\"" -j CNI-6f2b4b7c1f0e3d2a9c8b7a65
        [0:0] -A CNI-6f2b4b7c1f0e3d2a9c8b7a65 -d 10.244.2.0/24 -m comment --comment "name: \"wl-ab12-node2\" id: \"wl-ab12-ratings-v1-1\"" -j ACCEPT
        [0:0] -A CNI-6f2b4b7c1f0e3d2a9c8b7a65 ! -d 224.0.0.0/4 -m comment --comment "name: \"wl-ab12-node2\" id: \"wl-ab12-ratings-v1-1\"" -j MASQUERADE
        """;

    private static IReadOnlyList<KernelRule> Nat(string save)
    {
        var text = save.Replace(":KUBE-SERVICES - [0:0]", ":KUBE-SERVICES - [0:0]\n:CNI-6f2b4b7c1f0e3d2a9c8b7a65 - [0:0]", StringComparison.Ordinal) + "\nCOMMIT\n";
        return KernelRuleset.Parse("iptables-save", text).Rules;
    }

    [Fact]
    public void WithoutIpMasq_APodsConnectionToAnotherNodesPod_KeepsItsAddress()
    {
        var egress = NodeEgress.Walk(Nat(KubeProxy), 2, IPAddress.Parse("10.244.2.4"), IPEndPoint.Parse("10.244.1.3:9080"), kubeMarked: false);

        Assert.Equal(IPAddress.Parse("10.244.2.4"), egress.Source);
        Assert.Contains("leaves its source 10.244.2.4 as it is (KUBE-POSTROUTING #1", egress.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void WithIpMasq_ItLeavesWithTheNodesAddress_ButWithinItsOwnSubnetItDoesNot()
    {
        var nat = Nat(KubeProxy + "\n" + BridgeIpMasq);

        var across = NodeEgress.Walk(nat, 2, IPAddress.Parse("10.244.2.4"), IPEndPoint.Parse("10.244.1.3:9080"), kubeMarked: false);
        var local = NodeEgress.Walk(nat, 2, IPAddress.Parse("10.244.2.4"), IPEndPoint.Parse("10.244.2.7:9080"), kubeMarked: false);
        var otherPod = NodeEgress.Walk(nat, 2, IPAddress.Parse("10.244.2.9"), IPEndPoint.Parse("10.244.1.3:9080"), kubeMarked: false);

        Assert.Equal(IPAddress.Parse("10.243.0.2"), across.Source);
        Assert.StartsWith("node2's nat POSTROUTING masquerades it (CNI-6f2b4b7c1f0e3d2a9c8b7a65 #2: ! -d 224.0.0.0/4", across.Summary, StringComparison.Ordinal);
        Assert.Equal(IPAddress.Parse("10.244.2.4"), local.Source);
        Assert.Equal(IPAddress.Parse("10.244.2.9"), otherPod.Source);
    }

    [Fact]
    public void KubeProxysMark_IsSetForClientsOutsideTheClusterCidr_AndHairpin_AndThenMasquerades()
    {
        var nat = Nat(KubeProxy);
        var portal = IPEndPoint.Parse("10.96.0.12:9080");
        var endpoint = IPEndPoint.Parse("10.244.1.3:9080");

        Assert.False(NodeEgress.KubeMarked(nat, IPAddress.Parse("10.244.2.4"), portal, endpoint));
        Assert.True(NodeEgress.KubeMarked(nat, IPAddress.Parse("10.243.0.2"), portal, endpoint));
        Assert.True(NodeEgress.KubeMarked(nat, IPAddress.Parse("10.244.1.3"), portal, endpoint));
        var marked = NodeEgress.Walk(nat, 1, IPAddress.Parse("10.243.0.1"), endpoint, kubeMarked: true);
        Assert.Equal(IPAddress.Parse("10.243.0.1"), marked.Source);
        Assert.Contains("masquerades it (KUBE-POSTROUTING #3", marked.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void ARuleItCannotEvaluate_StopsTheWalk_AndIsNamed()
    {
        var nat = Nat(KubeProxy.Replace("[0:0] -A POSTROUTING -m comment", "[0:0] -A POSTROUTING -o eth9 -j MASQUERADE\n[0:0] -A POSTROUTING -m comment", StringComparison.Ordinal));

        var egress = NodeEgress.Walk(nat, 2, IPAddress.Parse("10.244.2.4"), IPEndPoint.Parse("10.244.1.3:9080"), kubeMarked: false);

        Assert.Equal(IPAddress.Parse("10.244.2.4"), egress.Source);
        Assert.Contains("cannot evaluate (POSTROUTING #1: -o eth9 -j MASQUERADE)", egress.Summary, StringComparison.Ordinal);
    }
}
