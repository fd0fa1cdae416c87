using System.Collections.Frozen;
using Waylay.Mesh.Networking;
using Waylay.Proxy.LoadBalancing;

namespace Waylay.Proxy.Routing;

/// <summary>
/// The routes of one host (a service's FQDN): its VirtualService's HTTP and TCP routes compiled, or the implicit
/// route to the whole service when it has none (the seed's behaviour: any endpoint, all versions).
/// </summary>
internal sealed class HostRoutes
{
    private readonly CompiledRoute[] _http;
    private readonly (ushort[] Ports, RouteTarget[] Targets, WeightedPicker Picker)[] _tcp;

    internal HostRoutes(string host, VirtualService? source, CompiledRoute[] http, (ushort[], RouteTarget[], WeightedPicker)[] tcp)
    {
        Host = host;
        Source = source;
        _http = http;
        _tcp = tcp;
        var headers = new HashSet<string>(StringComparer.Ordinal);
        foreach (var route in http)
        {
            foreach (var match in route.Matches)
            {
                foreach (var header in match.Headers)
                {
                    headers.Add(header.Name);
                }
            }
        }

        RequiredHeaders = headers.ToFrozenSet(StringComparer.Ordinal);
    }

    public string Host { get; }

    /// <summary>The VirtualService these routes come from; null for the implicit default route.</summary>
    public VirtualService? Source { get; }

    public IReadOnlyList<CompiledRoute> Routes => _http;

    /// <summary>The VirtualService's <c>tcp[]</c> routes: their ports (empty: any) and weighted targets, for /config_dump.</summary>
    public IEnumerable<(ushort[] Ports, RouteTarget[] Targets)> TcpRoutes => _tcp.Select(t => (t.Ports, t.Targets));

    /// <summary>The header names any match of this host reads: the only header values a parser needs to make strings of.</summary>
    public FrozenSet<string> RequiredHeaders { get; }

    /// <summary>First match wins, as in Istio; then a destination by weight.</summary>
    public RouteSelection Select(in RouteRequest request, Random random)
    {
        foreach (var route in _http)
        {
            if (route.Match(request) is { } match)
            {
                var target = route.PickTarget(random);
                return new RouteSelection(target.IsMissingSubset ? RouteOutcome.NoCluster : RouteOutcome.Routed, route, target, match, request.Port);
            }
        }

        return new RouteSelection(RouteOutcome.NoRoute, null, null, null, request.Port);
    }

    /// <summary>
    /// The destination for an opaque (TCP) connection on <paramref name="port"/>: the first <c>tcp[]</c> route for
    /// that port; null when the VirtualService has tcp routes but none for this port (the connection then goes to
    /// the host itself, as with no VirtualService).
    /// </summary>
    public RouteTarget? SelectTcp(ushort port, Random random)
    {
        foreach (var (ports, targets, picker) in _tcp)
        {
            if (ports.Length == 0 || Array.IndexOf(ports, port) >= 0)
            {
                return targets[picker.Pick(random)];
            }
        }

        return null;
    }
}
