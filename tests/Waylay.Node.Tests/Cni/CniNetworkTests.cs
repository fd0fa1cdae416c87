using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Waylay.Node.Cni;
using Waylay.Node.Namespaces;
using Waylay.TestKit;

namespace Waylay.Node.Tests.Cni;

public sealed class CniNetworkTests
{
    [NetnsFact]
    public async Task Add_GivesThePodAnAddressOfItsNodeAndTheDefaultRoute_CheckPasses_DelReleasesTheAddress()
    {
        await using var runtime = TestRuntime.Create();
        var pod = await runtime.StartPodAsync(TestRuntime.Pod("web"), 3, CancellationToken.None);

        Assert.True(IPNetwork.Parse("10.244.3.0/24").Contains(pod.Address), $"pod address {pod.Address}");
        Assert.NotEqual(IPAddress.Parse("10.244.3.1"), pod.Address);
        var route = await TestRuntime.RunAsync("ip", "-n", pod.Namespace, "route", "show", "default");
        Assert.Contains("default via 10.244.3.1 dev eth0", route);

        // The bridge is the node's, in the node's namespace, and nowhere in the machine's.
        var bridge = await TestRuntime.RunAsync("ip", "-n", runtime.Names.NodeNamespace(3), "-o", "addr", "show", "dev", runtime.Names.Bridge);
        Assert.Contains("10.244.3.1/24", bridge);
        Assert.DoesNotContain(runtime.Names.Bridge, await TestRuntime.RunAsync("ip", "-o", "link"));
        Assert.Equal("1", (await NetworkNamespaces.RunAsync(runtime.Names.NodeNamespace(3), ["cat", "/proc/sys/net/ipv4/ip_forward"], default)).StandardOutput.Trim());

        await pod.CheckNetworkAsync(CancellationToken.None);

        var lease = Path.Combine(runtime.State.IpamDirectory, runtime.Names.Network(3), pod.Address.ToString());
        Assert.True(File.Exists(lease), $"host-local lease {lease}");
        Assert.False(File.Exists($"/var/lib/cni/networks/{runtime.Names.Network(3)}/{pod.Address}"));

        await runtime.StopPodAsync("web", CancellationToken.None);
        Assert.False(File.Exists(lease), "DEL releases the address");
        Assert.False(NetworkNamespaces.Exists(pod.Namespace));
        Assert.DoesNotContain("veth", await TestRuntime.RunAsync("ip", "-n", runtime.Names.NodeNamespace(3), "-o", "link"));
    }

    [NetnsFact]
    public async Task Check_FailsWhenThePodsAddressIsGone()
    {
        await using var runtime = TestRuntime.Create();
        var pod = await runtime.StartPodAsync(TestRuntime.Pod("checked"), 1, CancellationToken.None);
        await pod.CheckNetworkAsync(CancellationToken.None);

        await TestRuntime.RunAsync("ip", "-n", pod.Namespace, "addr", "flush", "dev", "eth0");

        var error = await Assert.ThrowsAsync<CniException>(() => pod.CheckNetworkAsync(CancellationToken.None));
        Assert.Equal("CHECK", error.Command);
    }

    [NetnsFact]
    public async Task Del_ReleasesTheAddress_EvenWhenThePodsNamespaceIsAlreadyGone()
    {
        await using var runtime = TestRuntime.Create();
        var pod = await runtime.StartPodAsync(TestRuntime.Pod("gone"), 1, CancellationToken.None);
        var lease = Path.Combine(runtime.State.IpamDirectory, runtime.Names.Network(1), pod.Address.ToString());
        Assert.True(File.Exists(lease));
        foreach (var container in pod.Containers)
        {
            await container.StopAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
        }

        await pod.Pause.StopAsync(TimeSpan.FromSeconds(10), TimeProvider.System, CancellationToken.None);
        await NetworkNamespaces.DeleteAsync(pod.Namespace, CancellationToken.None);

        await runtime.StopPodAsync("gone", CancellationToken.None);

        Assert.False(File.Exists(lease));
    }

    [Fact]
    public void NodeList_IsBridgeWithHostLocalThenLoopback_LeasesInTheRunsState()
    {
        var list = CniNetworkList.For(new RunNames("abc123"), 4, "/run/waylay/abc123/cni/ipam");

        Assert.Equal("1.0.0", (string?)list["cniVersion"]);
        Assert.Equal("wl-abc123-node4", (string?)list["name"]);
        var plugins = list["plugins"]!.AsArray();
        Assert.Equal(["bridge", "loopback"], plugins.Select(p => (string?)p!["type"]));
        var bridge = plugins[0]!;
        Assert.Equal("wl-abc123-br", (string?)bridge["bridge"]);
        Assert.True((bool)bridge["isGateway"]!);
        Assert.False((bool)bridge["ipMasq"]!);
        Assert.Equal("host-local", (string?)bridge["ipam"]!["type"]);
        Assert.Equal("/run/waylay/abc123/cni/ipam", (string?)bridge["ipam"]!["dataDir"]);
        Assert.Equal("10.244.4.0/24", (string?)bridge["ipam"]!["ranges"]![0]![0]!["subnet"]);
        Assert.Equal("10.244.4.1", (string?)bridge["ipam"]!["ranges"]![0]![0]!["gateway"]);
    }

    [NetnsFact]
    public async Task TwoPodsOnOneNode_ReachEachOtherOverTcp_PodIpToPodIp()
    {
        await using var runtime = TestRuntime.Create();
        var server = await runtime.StartPodAsync(TestRuntime.Pod("server"), 1, CancellationToken.None);
        var client = await runtime.StartPodAsync(TestRuntime.Pod("client"), 1, CancellationToken.None);
        Assert.NotEqual(server.Address, client.Address);

        using var listener = InNamespace.Invoke(server.NamespacePath, () =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(server.Address, 9080));
            socket.Listen();
            return socket;
        });
        using var connector = InNamespace.Invoke(client.NamespacePath, () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var accepting = listener.AcceptAsync(timeout.Token);
        await connector.ConnectAsync(new IPEndPoint(server.Address, 9080), timeout.Token);
        using var accepted = await accepting;
        await connector.SendAsync("ping"u8.ToArray(), timeout.Token);
        var buffer = new byte[4];
        var read = 0;
        while (read < 4)
        {
            read += await accepted.ReceiveAsync(buffer.AsMemory(read), timeout.Token);
        }

        Assert.Equal("ping", System.Text.Encoding.ASCII.GetString(buffer));
        // The server saw the client's pod address: no NAT between pods of one node.
        Assert.Equal(client.Address, ((IPEndPoint)accepted.RemoteEndPoint!).Address);
    }

    [NetnsFact]
    public async Task PluginError_IsACniExceptionWithTheSpecsCodeAndMessage()
    {
        await using var runtime = TestRuntime.Create();
        var node = await runtime.AddNodeAsync(1, CancellationToken.None);
        var podNamespace = runtime.Names.PodNamespace("bad");
        await NetworkNamespaces.AddAsync(podNamespace, CancellationToken.None);
        try
        {
            var list = CniNetworkList.For(runtime.Names, 1, runtime.State.IpamDirectory);
            list["plugins"]![0]!["ipam"]!["ranges"]![0]![0]!["subnet"] = "not-a-subnet";
            var network = new CniNetwork(list, new CniPluginRunner(runtime.Options.CniPluginDirectory, NetworkNamespaces.PathOf(node.Namespace)));
            var sandbox = new CniSandbox("wl-bad", NetworkNamespaces.PathOf(podNamespace), "eth0", "");

            var error = await Assert.ThrowsAsync<CniException>(() => network.AddAsync(sandbox, CancellationToken.None));

            Assert.Equal("bridge", error.Plugin);
            Assert.Equal("ADD", error.Command);
            Assert.NotEqual(0, error.Code);
            Assert.Contains("not-a-subnet", error.Message);
        }
        finally
        {
            await NetworkNamespaces.DeleteAsync(podNamespace, CancellationToken.None);
        }
    }

    [Fact]
    public void Result_IsReadAsTheSpecWritesIt()
    {
        var raw = JsonNode.Parse("""
            {"cniVersion":"1.0.0",
             "interfaces":[{"name":"br0","mac":"aa"},{"name":"veth1","mac":"bb"},{"name":"eth0","mac":"cc","sandbox":"/run/netns/p"}],
             "ips":[{"address":"10.244.1.7/24","gateway":"10.244.1.1","interface":2}],
             "routes":[{"dst":"0.0.0.0/0","gw":"10.244.1.1"}]}
            """)!.AsObject();

        var result = CniResult.Parse(raw);

        Assert.Equal(IPAddress.Parse("10.244.1.7"), result.PodAddress("eth0"));
        Assert.Equal(24, result.Ips[0].PrefixLength);
        Assert.Equal(IPNetwork.Parse("0.0.0.0/0"), result.Routes[0].Destination);
        Assert.Equal(IPAddress.Parse("10.244.1.1"), result.Routes[0].Gateway);
        Assert.Null(result.PodAddress("br0"));
    }
}
