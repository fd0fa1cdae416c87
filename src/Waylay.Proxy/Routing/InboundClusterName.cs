using System.Collections.Concurrent;
using System.Globalization;

namespace Waylay.Proxy.Routing;

/// <summary>
/// Envoy's name of the inbound cluster of a port, <c>inbound|PORT||</c> (the access log's and a span's cluster), made
/// once per port: every inbound connection and h2 request took a copy of its own, and a held connection kept it.
/// A pod's inbound ports are few, so the table stays small.
/// </summary>
internal static class InboundClusterName
{
    private static readonly ConcurrentDictionary<ushort, string> Names = new();

    public static string For(ushort port) =>
        Names.TryGetValue(port, out var name) ? name : Names.GetOrAdd(port, static p => string.Create(CultureInfo.InvariantCulture, $"inbound|{p}||"));
}
