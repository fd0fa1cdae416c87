using Waylay.Linux;
using Waylay.Mesh;
using Waylay.Node.Namespaces;

namespace Waylay.Node.Services;

/// <summary>
/// The kube-proxy role in each node's namespace (which is the run's alone, so every <c>KUBE-*</c> chain there is
/// ours): <see cref="AddNodeAsync"/> prepares a node once, <see cref="SyncAsync"/> writes the whole rule set to every
/// node, one <c>iptables-restore --noflush</c> transaction per node (<see cref="KubeProxyRules"/>), then ends the UDP
/// flows the change made stale (<see cref="StaleUdpFlows"/>).
/// <code>
///  pod ─► veth ─► node netns: bridge wl-&lt;run&gt;-br (10.244.N.1, the pod's gateway)
///        ClusterIP is not on the bridge's subnet: the packet is routed → nat PREROUTING → KUBE-SERVICES → DNAT
///        10.96.0.0/16 dev wl-&lt;run&gt;-svc: a route for service addresses, so a port without endpoints reaches
///        filter FORWARD and is REJECTed (without a route the pod would get "network unreachable"). The device is a
///        veth pair inside the node namespace whose far end has no address (kube-ipvs0 is a dummy; not every
///        kernel has the dummy driver, every CNI host has veth): what is not DNATed or REJECTed goes nowhere.
///        net.bridge.bridge-nf-call-iptables=1: replies from a pod on the same bridge are bridged, not routed;
///        conntrack must see them to undo the DNAT (what kubeadm requires of every node)
/// </code>
/// </summary>
internal sealed class KubeProxy(RunNames names, bool masqueradeAll = false)
{
    /// <summary>Kubernetes' default service CIDR (kubeadm's <c>--service-cidr</c>).</summary>
    public static readonly System.Net.IPNetwork ServiceCidr = System.Net.IPNetwork.Parse("10.96.0.0/16");

    private readonly Dictionary<string, IReadOnlySet<string>> _chains = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IReadOnlyList<Service> _services = [];
    private StaleUdpFlows _udp = StaleUdpFlows.None;

    /// <summary>The last rules applied (the same text on every node).</summary>
    public string? LastRules { get; private set; }

    public string ServiceDevice => $"{names.Prefix}svc";

    /// <summary>The other end of <see cref="ServiceDevice"/>: it has no address, so nothing sent there is answered.</summary>
    public string ServicePeer => $"{names.Prefix}svp";

    /// <summary>Prepares a node's namespace (service route, bridge netfilter, hooks) and writes the current rules to it.</summary>
    public async Task AddNodeAsync(NodeNetwork node, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_chains.ContainsKey(node.Namespace))
            {
                return;
            }

            if (!Directory.Exists("/proc/sys/net/bridge"))
            {
                throw new InvalidOperationException(
                    "the kube-proxy role needs bridge netfilter (replies between pods of one bridge must pass conntrack): load it with 'modprobe br_netfilter'");
            }

            await RunAsync(node, ["sysctl", "-q", "-w", "net.bridge.bridge-nf-call-iptables=1"], cancellationToken);
            await RunAsync(node, ["ip", "link", "add", ServiceDevice, "type", "veth", "peer", "name", ServicePeer], cancellationToken);
            await RunAsync(node, ["ip", "link", "set", ServicePeer, "up"], cancellationToken);
            await RunAsync(node, ["ip", "link", "set", ServiceDevice, "up"], cancellationToken);
            await RunAsync(node, ["ip", "route", "add", ServiceCidr.ToString(), "dev", ServiceDevice], cancellationToken);
            await RestoreAsync(node.Namespace, KubeProxyRules.Hooks(), cancellationToken);
            _chains[node.Namespace] = new HashSet<string>(StringComparer.Ordinal);
            await ApplyAsync(node.Namespace, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Rewrites every node's rules for <paramref name="services"/> (only their ready endpoints get traffic).</summary>
    public async Task SyncAsync(IReadOnlyList<Service> services, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            _services = services;
            var udp = StaleUdpFlows.Of(services);
            var deletions = udp.DeletionsSince(_udp);
            foreach (var node in _chains.Keys.ToList())
            {
                await ApplyAsync(node, cancellationToken);
                foreach (var deletion in deletions)
                {
                    // Exit 1 with "0 flow entries have been deleted" is the common case, not a failure.
                    var result = await NetworkNamespaces.RunAsync(node, deletion, cancellationToken);
                    if (!result.Succeeded && !result.StandardError.Contains("0 flow entries", StringComparison.Ordinal))
                    {
                        throw new InvalidOperationException($"{string.Join(' ', deletion)} in {node} failed ({result.ExitCode}): {result.Diagnostic}");
                    }
                }
            }

            _udp = udp;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task ApplyAsync(string node, CancellationToken cancellationToken)
    {
        var (text, chains) = KubeProxyRules.Render(_services, _chains[node], masqueradeAll);
        await RestoreAsync(node, text, cancellationToken);
        _chains[node] = chains;
        LastRules = text;
    }

    private static async Task RestoreAsync(string node, string rules, CancellationToken cancellationToken)
    {
        var result = await Exec.RunAsync("nsenter", ["--net=" + NetworkNamespaces.PathOf(node), "--", "iptables-restore", "--noflush", "-w"], rules, cancellationToken);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"iptables-restore in {node} refused the kube-proxy rules ({result.ExitCode}): {result.Diagnostic}{Environment.NewLine}{rules}");
        }
    }

    private static async Task RunAsync(NodeNetwork node, IReadOnlyList<string> command, CancellationToken cancellationToken) =>
        NetworkNamespaces.Require(await NetworkNamespaces.RunAsync(node.Namespace, command, cancellationToken), $"{string.Join(' ', command)} in {node.Namespace}");
}
