using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using Waylay.Linux;
using Waylay.Node.Namespaces;
using Waylay.Node.Services;
using Waylay.Node.State;

namespace Waylay.Node.Underlay;

/// <summary>
/// The machines' network between the nodes of a run (two nodes or more), and flannel's host-gw backend on it:
/// <code>
///  wl-&lt;run&gt;-underlay (netns): bridge wl-&lt;run&gt;-ul, the switch; one port wl-&lt;run&gt;-uNN per node (NN: hex)
///      │ veth pair
///  wl-&lt;run&gt;-nodeN: wl-&lt;run&gt;-eth 10.243.0.N/24, the node's NIC
///      10.244.M.0/24 via 10.243.0.M   for every other node M (host-gw: pod traffic is routed, never encapsulated
///                                     nor masqueraded, so a pod on another node sees the client pod's own IP)
///      10.96.0.0/16 dev wl-&lt;run&gt;-svc src 10.243.0.N   the node's own connections to a ClusterIP leave from its
///                                     address, as from a real node's NIC (so kube-proxy masquerades them)
/// </code>
/// The veths are made by hand, not by CNI: they model the cables between machines, which no CNI plugin makes; pod
/// networking stays CNI's. Nothing is made in the machine's root namespace: the switch is a namespace of the run's.
/// Every step is recorded in the state directory before it is made (<see cref="UnderlayTeardown"/> reads it back).
/// </summary>
internal sealed class UnderlayNetwork(RunNames names, RunState state, ILogger logger)
{
    /// <summary>design.md's address plan: the underlay between node namespaces.</summary>
    public static readonly IPNetwork Subnet = IPNetwork.Parse("10.243.0.0/24");

    private readonly Dictionary<int, UnderlayMemberRecord> _members = [];
    private bool _created;

    public string Namespace => $"{names.Prefix}underlay";

    public string Bridge => $"{names.Prefix}ul";

    /// <summary>The node's end of its cable, in the node's namespace (its "eth0").</summary>
    public string NodeLink => $"{names.Prefix}eth";

    /// <summary>The switch's port for node <paramref name="node"/>, in the underlay's namespace (15 characters at most).</summary>
    public string PortLink(int node) => $"{names.Prefix}u{node.ToString("x2", CultureInfo.InvariantCulture)}";

    public static IPAddress AddressOf(int node) => IPAddress.Parse($"10.243.0.{node.ToString(CultureInfo.InvariantCulture)}");

    public static string PodSubnetOf(int node) => $"10.244.{node.ToString(CultureInfo.InvariantCulture)}.0/24";

    public IReadOnlyCollection<int> Members => _members.Keys;

    /// <summary>The error for a node that cannot be on the underlay (its address 10.243.0.N must be a host's), or null.</summary>
    public static string? Check(int node) =>
        node is >= 1 and <= 254
            ? null
            : $"node {node} cannot join the underlay: with two nodes or more, nodes are numbered 1..254 (node N's address is 10.243.0.N in {Subnet}); number the nodes from 1";

    /// <summary>Cables every node of <paramref name="nodes"/> that is not yet on the underlay and routes between all of them.</summary>
    public async Task JoinAsync(IEnumerable<NodeNetwork> nodes, string serviceDevice, CancellationToken cancellationToken)
    {
        foreach (var node in nodes.OrderBy(n => n.Index))
        {
            if (_members.ContainsKey(node.Index))
            {
                continue;
            }

            if (Check(node.Index) is { } error)
            {
                throw new ArgumentException(error, nameof(nodes));
            }

            await EnsureCreatedAsync(cancellationToken);
            await CableAsync(node, serviceDevice, cancellationToken);
            foreach (var other in _members.Keys.Where(m => m != node.Index).Order().ToList())
            {
                await RouteAsync(node.Index, other, cancellationToken);
                await RouteAsync(other, node.Index, cancellationToken);
            }

            UnderlayLog.NodeJoined(logger, node.Index, AddressOf(node.Index).ToString(), Namespace);
        }
    }

    private async Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        if (_created)
        {
            return;
        }

        NetworkNamespaces.EnsureFree(Namespace);
        state.Write(state.UnderlayFile, new UnderlayRecord(Namespace, Bridge));
        await NetworkNamespaces.AddAsync(Namespace, cancellationToken);
        await IpAsync(Namespace, ["link", "add", Bridge, "type", "bridge"], cancellationToken);
        await IpAsync(Namespace, ["link", "set", Bridge, "up"], cancellationToken);
        _created = true;
    }

    /// <summary>:: the node's cable: a veth pair made in the underlay's namespace with its peer put straight into the node's.</summary>
    private async Task CableAsync(NodeNetwork node, string serviceDevice, CancellationToken cancellationToken)
    {
        var address = $"{AddressOf(node.Index)}/{Subnet.PrefixLength.ToString(CultureInfo.InvariantCulture)}";
        var member = new UnderlayMemberRecord(node.Index, node.Namespace, NodeLink, PortLink(node.Index), address, []);
        state.Write(state.UnderlayMemberFile(node.Index), member);
        _members[node.Index] = member;
        await IpAsync(Namespace, ["link", "add", member.PortLink, "type", "veth", "peer", "name", NodeLink, "netns", node.Namespace], cancellationToken);
        await IpAsync(Namespace, ["link", "set", member.PortLink, "master", Bridge, "up"], cancellationToken);
        await IpAsync(node.Namespace, ["addr", "add", address, "dev", NodeLink], cancellationToken);
        await IpAsync(node.Namespace, ["link", "set", NodeLink, "up"], cancellationToken);
        // A node's own connection to a ClusterIP takes its source from the service route; without a hint the kernel
        // picks the first address it finds (maybe the bridge's 10.244.N.1, inside the cluster CIDR, so not
        // masqueraded). A real node's route leaves through its NIC: the node's address, masqueraded by kube-proxy.
        await IpAsync(node.Namespace, ["route", "replace", KubeProxy.ServiceCidr.ToString(), "dev", serviceDevice, "src", AddressOf(node.Index).ToString()], cancellationToken);
    }

    /// <summary>:: host-gw: in node <paramref name="on"/>, node <paramref name="to"/>'s pods are behind its underlay address.</summary>
    private async Task RouteAsync(int on, int to, CancellationToken cancellationToken)
    {
        var member = _members[on];
        var route = PodSubnetOf(to);
        member = member with { Routes = [.. member.Routes, route] };
        state.Write(state.UnderlayMemberFile(on), member);
        _members[on] = member;
        await IpAsync(member.NodeNamespace, ["route", "add", route, "via", AddressOf(to).ToString(), "dev", member.NodeLink], cancellationToken);
    }

    private static async Task IpAsync(string @namespace, IReadOnlyList<string> command, CancellationToken cancellationToken) =>
        NetworkNamespaces.Require(
            await Exec.RunAsync("ip", ["-n", @namespace, .. command], null, cancellationToken),
            $"ip -n {@namespace} {string.Join(' ', command)}");
}
