using System.Net;
using Waylay.Mesh;
using Waylay.Node.Namespaces;
using Waylay.Node.Tests.Services;
using Waylay.Node.Underlay;
using Waylay.TestKit;

namespace Waylay.Node.Tests.Underlay;

/// <summary>
/// Several nodes for real: node namespaces cabled to the run's underlay switch, host-gw routes between their pod
/// ranges, and what kube-proxy's masquerade makes of connections that cross nodes.
/// </summary>
public sealed class UnderlayNetworkTests
{
    private static readonly Dictionary<string, ushort> NoPorts = [];
    private static readonly Dictionary<string, string> NoLabels = [];

    private static Service ProductPage(params IPAddress[] endpoints) =>
        new("productpage", "default", [], [new ServicePort("http", 9080, 9080)], [.. endpoints.Select(a => new Endpoint(a, NoPorts, NoLabels))]);

    [NetnsFact]
    public async Task PodToPod_AcrossNodes_IsRouted_AndTheServerSeesTheClientPodsOwnIp()
    {
        await using var runtime = TestRuntime.Create();
        var client = await runtime.StartPodAsync(TestRuntime.Pod("client"), 1, CancellationToken.None);
        var web = await runtime.StartPodAsync(TestRuntime.Pod("web"), 2, CancellationToken.None);
        using var server = PodServer.Start("web", web.NamespacePath, 9080);

        Assert.Equal("web", PodServer.Ask(client.NamespacePath, web.Address, 9080));

        // host-gw: routed over the underlay, neither encapsulated nor masqueraded.
        Assert.Equal(client.Address, Assert.Single(server.Peers));
        Assert.Contains("10.244.2.0/24 via 10.243.0.2 dev " + runtime.Underlay.NodeLink, await RoutesAsync(runtime, 1));
    }

    [NetnsFact]
    public async Task ClusterIp_WhoseOnlyEndpointIsOnAnotherNode_IsReached_KeepingThePodsIp()
    {
        await using var runtime = TestRuntime.Create();
        var client = await runtime.StartPodAsync(TestRuntime.Pod("client"), 1, CancellationToken.None);
        var web = await runtime.StartPodAsync(TestRuntime.Pod("web"), 2, CancellationToken.None);
        using var server = PodServer.Start("web", web.NamespacePath, 9080);
        var service = await runtime.Services.ApplyAsync(ProductPage(web.Address), CancellationToken.None);

        Assert.Equal("web", PodServer.Ask(client.NamespacePath, service.Addresses[0], 9080));

        // kube-proxy with --cluster-cidr=10.244.0.0/16 marks only off-cluster clients: the pod's IP arrives; the reply
        // goes back over the underlay to node 1, whose conntrack undoes the DNAT.
        Assert.Equal(client.Address, Assert.Single(server.Peers));
    }

    [NetnsFact]
    public async Task SeedCase_AConnectionEnteringThroughNode2_ReachesAPodOnNode1_FromNode2sAddress()
    {
        await using var runtime = TestRuntime.Create();
        // Node 2 first, with a pod: its bridge (10.244.2.1) exists before its underlay address, so only the service
        // route's source hint keeps the kernel from picking the bridge's address for the node's own connections.
        await runtime.StartPodAsync(TestRuntime.Pod("ratings"), 2, CancellationToken.None);
        var productpage = await runtime.StartPodAsync(TestRuntime.Pod("productpage"), 1, CancellationToken.None);
        using var server = PodServer.Start("productpage", productpage.NamespacePath, 9080);
        var service = await runtime.Services.ApplyAsync(ProductPage(productpage.Address), CancellationToken.None);

        // From node 2's own network (a hostNetwork process, a NodePort's way in): its address is outside the
        // cluster CIDR, so kube-proxy masquerades, and node 1's pod sees node 2 as the client.
        var node2 = NetworkNamespaces.PathOf(runtime.Names.NodeNamespace(2));
        Assert.Equal("productpage", PodServer.Ask(node2, service.Addresses[0], 9080));
        Assert.Equal(UnderlayNetwork.AddressOf(2), Assert.Single(server.Peers));
    }

    [NetnsFact]
    public async Task SeedCase_WithMasqueradeAll_APodOnNode2_ReachesAPodOnNode1_FromNode2sAddress()
    {
        // The seed's cluster: ratings (node 2) → productpage's ClusterIP (node 1); productpage sees node 2's address.
        await using var runtime = TestRuntime.Create(masqueradeAll: true);
        var productpage = await runtime.StartPodAsync(TestRuntime.Pod("productpage"), 1, CancellationToken.None);
        var ratings = await runtime.StartPodAsync(TestRuntime.Pod("ratings"), 2, CancellationToken.None);
        using var server = PodServer.Start("productpage", productpage.NamespacePath, 9080);
        var service = await runtime.Services.ApplyAsync(ProductPage(productpage.Address), CancellationToken.None);

        Assert.Equal("productpage", PodServer.Ask(ratings.NamespacePath, service.Addresses[0], 9080));
        Assert.Equal(UnderlayNetwork.AddressOf(2), Assert.Single(server.Peers));

        // Pod to pod, no ClusterIP: kube-proxy is not involved, the pod's own IP arrives.
        Assert.Equal("productpage", PodServer.Ask(ratings.NamespacePath, productpage.Address, 9080));
        Assert.Equal([UnderlayNetwork.AddressOf(2), ratings.Address], server.Peers);
    }

    [NetnsFact]
    public async Task ANodeAddedLater_GetsRoutesBothWays_AndItsPodsReachTheOthers()
    {
        await using var runtime = TestRuntime.Create();
        var one = await runtime.StartPodAsync(TestRuntime.Pod("one"), 1, CancellationToken.None);
        await runtime.AddNodeAsync(2, CancellationToken.None);
        var three = await runtime.StartPodAsync(TestRuntime.Pod("three"), 3, CancellationToken.None);

        var link = runtime.Underlay.NodeLink;
        var on3 = await RoutesAsync(runtime, 3);
        Assert.Contains($"10.244.1.0/24 via 10.243.0.1 dev {link}", on3);
        Assert.Contains($"10.244.2.0/24 via 10.243.0.2 dev {link}", on3);
        Assert.Contains($"10.243.0.0/24 dev {link} proto kernel scope link src 10.243.0.3", on3);
        foreach (var node in new[] { 1, 2 })
        {
            Assert.Contains($"10.244.3.0/24 via 10.243.0.3 dev {link}", await RoutesAsync(runtime, node));
        }

        Assert.Equal([1, 2, 3], runtime.Underlay.Members.Order());
        using var server = PodServer.Start("one", one.NamespacePath, 9080);
        Assert.Equal("one", PodServer.Ask(three.NamespacePath, one.Address, 9080));
        Assert.Equal(three.Address, Assert.Single(server.Peers));
    }

    [NetnsFact]
    public async Task UnderlayTeardown_RemovesTheRecordedRoutesAndCables_EvenWhileTheNodesLive()
    {
        await using var runtime = TestRuntime.Create();
        await runtime.AddNodeAsync(1, CancellationToken.None);
        await runtime.AddNodeAsync(2, CancellationToken.None);
        Assert.True(NetworkNamespaces.Exists(runtime.Underlay.Namespace));

        await UnderlayTeardown.RunAsync(runtime.State, CancellationToken.None);
        await UnderlayTeardown.RunAsync(runtime.State, CancellationToken.None);

        Assert.False(NetworkNamespaces.Exists(runtime.Underlay.Namespace));
        foreach (var node in new[] { 1, 2 })
        {
            var routes = await RoutesAsync(runtime, node);
            Assert.DoesNotContain("10.244.", routes.Replace($"10.244.{node}.0/24", "", StringComparison.Ordinal), StringComparison.Ordinal);
            Assert.DoesNotContain("10.243.", routes, StringComparison.Ordinal);
            var links = (await NetworkNamespaces.RunAsync(runtime.Names.NodeNamespace(node), ["ip", "-o", "link"], default)).StandardOutput;
            Assert.DoesNotContain(runtime.Underlay.NodeLink, links, StringComparison.Ordinal);
        }
    }

    [NetnsFact]
    public async Task Teardown_FromTheStateDirectoryAlone_LeavesNothing_AndTheMachinesRootNamespaceGainsNothing()
    {
        var linksBefore = await RootLinksAsync();
        var routesBefore = await RootRoutesAsync();
        var runtime = TestRuntime.Create();
        var stateDirectory = runtime.State.Directory;
        var prefix = runtime.Names.Prefix;
        try
        {
            var a = await runtime.StartPodAsync(TestRuntime.Pod("a"), 1, CancellationToken.None);
            var b = await runtime.StartPodAsync(TestRuntime.Pod("b"), 2, CancellationToken.None);
            await runtime.AddNodeAsync(3, CancellationToken.None);
            using var server = PodServer.Start("b", b.NamespacePath, 9080);
            Assert.Equal("b", PodServer.Ask(a.NamespacePath, b.Address, 9080));

            Assert.Equal(linksBefore, await RootLinksAsync());
            Assert.Equal(routesBefore, await RootRoutesAsync());
            Assert.Contains(runtime.Underlay.Namespace, await TestRuntime.RunAsync("ip", "netns", "list"), StringComparison.Ordinal);
        }
        finally
        {
            // The runtime is never disposed: teardown knows only the state directory.
            await NodeRuntime.TeardownAsync(stateDirectory, null, CancellationToken.None);
        }

        Assert.Empty(await TestRuntime.LeftoversAsync(runtime.Options.RunId, stateDirectory));
        Assert.DoesNotContain(prefix, await TestRuntime.RunAsync("ip", "netns", "list"), StringComparison.Ordinal);
        Assert.Equal(linksBefore, await RootLinksAsync());
        Assert.Equal(routesBefore, await RootRoutesAsync());
    }

    [Fact]
    public void NodesOnTheUnderlay_AreNumbered1To254_AndTheirNamesFitAnInterface()
    {
        Assert.Null(UnderlayNetwork.Check(1));
        Assert.Null(UnderlayNetwork.Check(254));
        Assert.Contains("number the nodes from 1", UnderlayNetwork.Check(0), StringComparison.Ordinal);
        Assert.Contains("1..254", UnderlayNetwork.Check(255), StringComparison.Ordinal);

        var names = new RunNames("abcdefgh");
        var underlay = new UnderlayNetwork(names, new State.RunState("/nonexistent"), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        Assert.All([underlay.Bridge, underlay.NodeLink, underlay.PortLink(254)], n => Assert.True(n.Length <= 15, n));
        Assert.Equal("wl-abcdefgh-ufe", underlay.PortLink(254));
    }

    [NetnsFact]
    public async Task ANodeThatCannotHaveAnUnderlayAddress_IsRefusedBeforeItIsMade()
    {
        await using var runtime = TestRuntime.Create();
        await runtime.AddNodeAsync(1, CancellationToken.None);

        var refused = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => runtime.AddNodeAsync(0, CancellationToken.None));

        Assert.Contains("number the nodes from 1", refused.Message, StringComparison.Ordinal);
        Assert.False(NetworkNamespaces.Exists(runtime.Names.NodeNamespace(0)));
        Assert.False(NetworkNamespaces.Exists(runtime.Underlay.Namespace));
    }

    private static async Task<string> RoutesAsync(NodeRuntime runtime, int node)
    {
        var result = await NetworkNamespaces.RunAsync(runtime.Names.NodeNamespace(node), ["ip", "route"], default);
        Assert.True(result.Succeeded, result.Diagnostic);
        return result.StandardOutput;
    }

    /// <summary>The root namespace's link names, without those of other engineers' runs (<c>wl-*</c>, not this one's).</summary>
    private static async Task<string[]> RootLinksAsync() =>
        [.. (await TestRuntime.RunAsync("ip", "-o", "link")).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(':')[1].Trim()).Where(n => !n.StartsWith("wl-", StringComparison.Ordinal) || n.StartsWith($"wl-{RunId.Value}", StringComparison.Ordinal)).Order(StringComparer.Ordinal)];

    private static async Task<string[]> RootRoutesAsync() =>
        [.. (await TestRuntime.RunAsync("ip", "route")).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(r => !r.Contains(" wl-", StringComparison.Ordinal) || r.Contains($"wl-{RunId.Value}", StringComparison.Ordinal)).Order(StringComparer.Ordinal)];
}
