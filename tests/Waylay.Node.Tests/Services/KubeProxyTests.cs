using System.Net;
using System.Net.Sockets;
using Waylay.Mesh;
using Waylay.Node.Namespaces;
using Waylay.TestKit;

namespace Waylay.Node.Tests.Services;

/// <summary>The kube-proxy role for real: pods on a node's bridge reach a ClusterIP that the node's namespace DNATs.</summary>
public sealed class KubeProxyTests
{
    private static readonly Dictionary<string, ushort> NoPorts = [];
    private static readonly Dictionary<string, string> NoLabels = [];

    private static Service Details(params Endpoint[] endpoints) =>
        new("details", "default", [], [new ServicePort("http", 9080, 8080)], endpoints);

    private static Endpoint At(IPAddress address, ushort? http = null) =>
        new(address, http is { } port ? new Dictionary<string, ushort> { ["http"] = port } : NoPorts, NoLabels);

    [NetnsFact]
    public async Task ClusterIp_SpreadsNewConnectionsOverTheReadyEndpoints_TargetPortByNamePerEndpoint_ARemovedEndpointGetsNone()
    {
        await using var runtime = TestRuntime.Create();
        var client = await runtime.StartPodAsync(TestRuntime.Pod("client"), 1, CancellationToken.None);
        var a = await runtime.StartPodAsync(TestRuntime.Pod("web-a"), 1, CancellationToken.None);
        var b = await runtime.StartPodAsync(TestRuntime.Pod("web-b"), 1, CancellationToken.None);
        using var serverA = PodServer.Start("web-a", a.NamespacePath, 8080);
        using var serverB = PodServer.Start("web-b", b.NamespacePath, 8081);

        // web-b serves the port named "http" on 8081: its endpoint says so (EndpointSlice ports by name).
        var service = await runtime.Services.ApplyAsync(
            Details(At(a.Address), At(b.Address, 8081), At(IPAddress.Parse("10.244.1.250")) with { Health = EndpointHealth.Unhealthy }),
            CancellationToken.None);
        var clusterIp = Assert.Single(service.Addresses);
        Assert.True(Waylay.Node.Services.KubeProxy.ServiceCidr.Contains(clusterIp), $"ClusterIP {clusterIp}");

        var seen = new HashSet<string>();
        for (var i = 0; i < 64 && seen.Count < 2; i++)
        {
            seen.Add(PodServer.Ask(client.NamespacePath, clusterIp, 9080));
        }

        Assert.Equal(["web-a", "web-b"], seen.Order());

        await runtime.Services.SetEndpointsAsync("default", "details", [At(a.Address)], CancellationToken.None);
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal("web-a", PodServer.Ask(client.NamespacePath, clusterIp, 9080));
        }

        var bChain = Waylay.Node.Services.KubeProxyRules.EndpointChain("default/details:http", "tcp", $"{b.Address}:8081");
        var nat = await InNode(runtime, "iptables-save", "-t", "nat");
        Assert.DoesNotContain(bChain, nat);
        Assert.Contains(Waylay.Node.Services.KubeProxyRules.ServiceChain("default/details:http", "tcp"), nat);
    }

    [NetnsFact]
    public async Task ClusterIp_WithNoReadyEndpoint_IsRefused_AndARemovedServiceLeavesNoChain()
    {
        await using var runtime = TestRuntime.Create();
        var client = await runtime.StartPodAsync(TestRuntime.Pod("client"), 1, CancellationToken.None);
        var a = await runtime.StartPodAsync(TestRuntime.Pod("web-a"), 1, CancellationToken.None);
        using var server = PodServer.Start("web-a", a.NamespacePath, 8080);
        var service = await runtime.Services.ApplyAsync(Details(At(a.Address)), CancellationToken.None);
        var clusterIp = service.Addresses[0];
        Assert.Equal("web-a", PodServer.Ask(client.NamespacePath, clusterIp, 9080));

        await runtime.Services.SetEndpointsAsync("default", "details", [At(a.Address) with { Health = EndpointHealth.Unhealthy }], CancellationToken.None);

        // kube-proxy REJECTs (icmp-port-unreachable): the client is refused at once, it does not hang.
        var refused = Assert.Throws<InvalidOperationException>(() => PodServer.Ask(client.NamespacePath, clusterIp, 9080));
        Assert.Equal(SocketError.ConnectionRefused, Assert.IsType<SocketException>(refused.InnerException).SocketErrorCode);
        Assert.Contains("\"default/details:http has no endpoints\"", await InNode(runtime, "iptables-save", "-t", "filter"));

        await runtime.Services.RemoveAsync("default", "details", CancellationToken.None);
        var nat = await InNode(runtime, "iptables-save", "-t", "nat");
        Assert.DoesNotContain("KUBE-SVC-", nat);
        Assert.DoesNotContain("KUBE-SEP-", nat);
        Assert.DoesNotContain("details", await InNode(runtime, "iptables-save", "-t", "filter"));
        Assert.Contains("-j KUBE-SERVICES", nat);
    }

    [NetnsFact]
    public async Task Hairpin_APodReachesItselfThroughItsClusterIp_SeeingTheNodesAddress()
    {
        await using var runtime = TestRuntime.Create();
        var a = await runtime.StartPodAsync(TestRuntime.Pod("web-a"), 2, CancellationToken.None);
        using var server = PodServer.Start("web-a", a.NamespacePath, 8080);
        var service = await runtime.Services.ApplyAsync(Details(At(a.Address)), CancellationToken.None);

        Assert.Equal("web-a", PodServer.Ask(a.NamespacePath, service.Addresses[0], 9080));

        // KUBE-SEP's "-s <endpoint> -j KUBE-MARK-MASQ": without the masquerade the pod would answer itself directly
        // and the reply would never be un-DNATed.
        Assert.Equal(IPAddress.Parse("10.244.2.1"), Assert.Single(server.Peers));
    }

    [NetnsFact]
    public async Task EveryNode_GetsTheRules_AlsoANodeAddedLater()
    {
        await using var runtime = TestRuntime.Create();
        var a = await runtime.StartPodAsync(TestRuntime.Pod("web-a"), 1, CancellationToken.None);
        var service = await runtime.Services.ApplyAsync(Details(At(a.Address)), CancellationToken.None);
        await runtime.AddNodeAsync(2, CancellationToken.None);

        foreach (var node in new[] { 1, 2 })
        {
            var nat = (await NetworkNamespaces.RunAsync(runtime.Names.NodeNamespace(node), ["iptables-save", "-t", "nat"], default)).StandardOutput;
            Assert.Contains($"-d {service.Addresses[0]}/32", nat);
        }

        // A sync with nothing changed leaves the same rules (no duplicated hooks, no chain left over).
        var before = await InNode(runtime, "iptables-save");
        await runtime.Services.ApplyAsync(service, CancellationToken.None);
        Assert.Equal(Rules(before), Rules(await InNode(runtime, "iptables-save")));

        // The machine's own tables never see a service address.
        Assert.DoesNotContain(service.Addresses[0] + "/32", await TestRuntime.RunAsync("iptables-save"));
    }

    /// <summary>iptables-save without its timestamps and counters.</summary>
    private static string[] Rules(string save) =>
        [.. save.Split('\n').Where(l => !l.StartsWith('#')).Select(l => l.StartsWith(':') ? l[..l.IndexOf(' ')] : l)];

    private static async Task<string> InNode(NodeRuntime runtime, params string[] command)
    {
        var result = await NetworkNamespaces.RunAsync(runtime.Names.NodeNamespace(1), command, default);
        Assert.True(result.Succeeded, result.Diagnostic);
        return result.StandardOutput;
    }
}
