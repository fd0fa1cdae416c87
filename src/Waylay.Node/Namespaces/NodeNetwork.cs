using System.Text.Json.Nodes;
using Waylay.Node.Cni;
using Waylay.Node.State;

namespace Waylay.Node.Namespaces;

/// <summary>
/// A node: a network namespace of its own (<c>wl-&lt;run&gt;-node&lt;N&gt;</c>) with IPv4 forwarding on, which the
/// CNI bridge plugin fills with the node's bridge (10.244.N.1) and the host ends of its pods' veths on the first
/// ADD. It has no link to the machine's interfaces: pods reach each other and the node, nothing else.
/// </summary>
internal sealed class NodeNetwork
{
    private NodeNetwork(int index, string @namespace, CniNetwork network)
    {
        Index = index;
        Namespace = @namespace;
        Network = network;
    }

    public int Index { get; }

    public string Namespace { get; }

    public CniNetwork Network { get; }

    public static async Task<NodeNetwork> CreateAsync(
        RunNames names, RunState state, NodeRuntimeOptions options, int index, CancellationToken cancellationToken)
    {
        if (index is < 0 or > 255)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, "a node index is 0..255 (its pods get 10.244.N.0/24)");
        }

        var name = names.NodeNamespace(index);
        NetworkNamespaces.EnsureFree(name);
        var list = CniNetworkList.For(names, index, state.IpamDirectory, options.IpMasquerade);
        var configList = Path.Combine(state.Directory, "cni", $"node{index}.conflist");
        Directory.CreateDirectory(Path.GetDirectoryName(configList)!);
        File.WriteAllText(configList, list.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        // Recorded before it is made: a crash in between still leaves teardown the name.
        state.Write(state.NodeFile(index), new NodeRecord(index, name, configList));
        await NetworkNamespaces.AddAsync(name, cancellationToken);
        NetworkNamespaces.Require(
            await NetworkNamespaces.RunAsync(name, ["sysctl", "-q", "-w", "net.ipv4.ip_forward=1"], cancellationToken),
            $"sysctl net.ipv4.ip_forward=1 in {name}");
        return Open(new NodeRecord(index, name, configList), options);
    }

    /// <summary>A node as recorded (teardown after a crash; the CNI config list is read back from the state).</summary>
    public static NodeNetwork Open(NodeRecord record, NodeRuntimeOptions options)
    {
        var list = JsonNode.Parse(File.ReadAllText(record.ConfigList))!.AsObject();
        var runner = new CniPluginRunner(options.CniPluginDirectory, NetworkNamespaces.PathOf(record.Namespace));
        return new NodeNetwork(record.Index, record.Namespace, new CniNetwork(list, runner));
    }
}
