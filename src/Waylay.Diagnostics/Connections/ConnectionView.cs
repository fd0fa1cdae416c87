using System.Net;
using Waylay.Capture.Explain;
using Waylay.Diagnostics.Conntrack;
using Waylay.Diagnostics.Proxy;

namespace Waylay.Diagnostics.Connections;

/// <summary>
/// One relayed pair of the proxy, joined with what the kernel knows of it: the conntrack entry of the connection the
/// capture took (downstream: the caller's socket to its original destination, rewritten to the listener) and of the
/// proxy's own onward connection (upstream), and the capture rules that sent the downstream one to the proxy.
/// </summary>
internal sealed record ConnectionView(ProxyConnection Pair, ConntrackEntry? Downstream, ConntrackEntry? Upstream, Verdict? Capture)
{
    public static IReadOnlyList<ConnectionView> Join(
        IReadOnlyList<ProxyConnection> connections, IReadOnlyList<ConntrackEntry> conntrack, Func<ProxyConnection, Verdict?> classify) =>
        [.. connections.Where(c => c.IsPair).Select(c => new ConnectionView(
            c,
            conntrack.FirstOrDefault(e => e.Original.Source.Equals(c.DownstreamRemote) && e.RedirectedTo is not null
                && (c.OriginalDestination is null || e.Original.Destination.Equals(c.OriginalDestination))),
            c.UpstreamLocal is { } local && c.Endpoint is { } endpoint ? conntrack.FirstOrDefault(e => e.Is(local, endpoint)) : null,
            classify(c)))];

    /// <summary>The packet the caller sent first, as the capture rules saw it (for the classifier).</summary>
    public static Packet? FirstPacket(ProxyConnection pair, uint appUid, uint appGid)
    {
        if (pair.OriginalDestination is not { } destination)
        {
            return null;
        }

        return pair.Listener == "inbound" || pair.Direction == "inbound"
            ? new Packet(PacketDirection.In, true, destination.Address, (ushort)destination.Port, pair.DownstreamRemote?.Address, InInterface: "eth0")
            : new Packet(PacketDirection.Out, true, destination.Address, (ushort)destination.Port, pair.DownstreamRemote?.Address, appUid, appGid,
                OutInterface: IPAddress.IsLoopback(destination.Address) ? "lo" : null);
    }
}
