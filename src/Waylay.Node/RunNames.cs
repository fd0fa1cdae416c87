namespace Waylay.Node;

/// <summary>
/// The names a run gives what it makes, all under <c>wl-&lt;run&gt;-</c> so a leak is attributable and teardown never
/// touches what another run or the host owns.
/// </summary>
internal sealed record RunNames(string RunId)
{
    public string Prefix => $"wl-{RunId}-";

    /// <summary>The node's network namespace, which holds its bridge.</summary>
    public string NodeNamespace(int node) => $"{Prefix}node{node}";

    /// <summary>The node's bridge (inside the node's namespace; at most 15 characters).</summary>
    public string Bridge => $"{Prefix}br";

    /// <summary>The CNI network name (host-local keeps its leases under dataDir/&lt;name&gt;).</summary>
    public string Network(int node) => $"{Prefix}node{node}";

    public string PodNamespace(string pod) => $"{Prefix}{pod}";

    /// <summary>CNI_CONTAINERID: unique per sandbox, stable for ADD, CHECK and DEL.</summary>
    public string ContainerId(string pod) => $"{Prefix}{pod}";
}
