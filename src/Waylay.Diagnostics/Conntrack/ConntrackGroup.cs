using System.Net;

namespace Waylay.Diagnostics.Conntrack;

/// <summary>
/// The entries of one connection as the pod saw it: the app's connection the capture redirected and the proxy's own
/// onward connection to the same place (outbound), or the caller's connection redirected to the inbound listener and
/// the proxy's hop to the app over loopback (inbound): keyed by where the connection was going.
/// </summary>
internal sealed record ConntrackGroup(IPEndPoint Destination, IReadOnlyList<ConntrackEntry> Entries)
{
    /// <summary>Groups <paramref name="entries"/>; a loopback hop to a port is put with the connections to that port of <paramref name="podAddress"/>.</summary>
    public static IReadOnlyList<ConntrackGroup> Of(IReadOnlyList<ConntrackEntry> entries, IPAddress? podAddress) =>
        [.. entries.GroupBy(e => Key(e, podAddress))
            .Select(g => new ConntrackGroup(g.Key, [.. g.OrderBy(e => e.RedirectedTo is null)]))
            .OrderByDescending(g => g.Entries.Any(e => e.RedirectedTo is not null))
            .ThenBy(g => g.Destination.ToString(), StringComparer.Ordinal)];

    private static IPEndPoint Key(ConntrackEntry entry, IPAddress? podAddress)
    {
        var destination = entry.Original.Destination;
        return podAddress is not null && IPAddress.IsLoopback(destination.Address) && !IsProxyPort(destination.Port)
            ? new IPEndPoint(podAddress, destination.Port)
            : destination;
    }

    private static bool IsProxyPort(int port) => port is 15000 or 15001 or 15006;
}
