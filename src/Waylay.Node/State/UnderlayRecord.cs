namespace Waylay.Node.State;

/// <summary>The underlay's switch as recorded: its network namespace and the bridge in it.</summary>
internal sealed record UnderlayRecord(string Namespace, string Bridge);

/// <summary>
/// A node on the underlay as recorded: its "NIC" (<see cref="NodeLink"/>, in the node's namespace) and the switch port
/// it is cabled to (<see cref="PortLink"/>, in the underlay's), its address, and the host-gw routes written into the
/// node's namespace (each recorded before it is added, so teardown removes exactly those).
/// </summary>
internal sealed record UnderlayMemberRecord(int Node, string NodeNamespace, string NodeLink, string PortLink, string Address, IReadOnlyList<string> Routes);
