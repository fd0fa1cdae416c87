using System.Collections.Concurrent;
using System.Collections.Frozen;
using Waylay.Mesh.Networking;
using Waylay.Proxy.LoadBalancing;

namespace Waylay.Proxy.Routing;

/// <summary>
/// The route engine's immutable snapshot: for every host, its compiled routes. Built once per config (a reload
/// builds a new one and swaps the reference, like the L4 RouteTable); requests only read it.
/// <code>
///   host FQDN ──► VirtualService claiming it exactly, else the longest wildcard (*.ns.svc.cluster.local) claiming it,
///                 else the implicit route: the host itself, Istio's default retries, no timeout
///   destination host ──► DestinationRule for it (exact, else longest wildcard) ──► subset, policies per port
/// </code>
/// </summary>
internal sealed class HttpRouteTable
{
    private readonly FrozenDictionary<string, HostRoutes> _exact;
    private readonly (string Suffix, HostRoutes Routes)[] _wildcards;
    private readonly NetworkingConfig _config;
    private readonly FrozenDictionary<string, DestinationRule> _rulesExact;
    private readonly (string Suffix, DestinationRule Rule)[] _rulesWildcard;

    /// <summary>Implicit routes, compiled on first use per host (hosts come from the mesh's services: a bounded set).</summary>
    private readonly ConcurrentDictionary<string, HostRoutes> _implicit = new(StringComparer.Ordinal);

    private HttpRouteTable(NetworkingConfig config, FrozenDictionary<string, DestinationRule> rulesExact, (string, DestinationRule)[] rulesWildcard,
        Func<HttpRouteTable, (FrozenDictionary<string, HostRoutes>, (string, HostRoutes)[])> build)
    {
        _config = config;
        _rulesExact = rulesExact;
        _rulesWildcard = rulesWildcard;
        (_exact, _wildcards) = build(this);
    }

    public NetworkingConfig Config => _config;

    public static HttpRouteTable Empty { get; } = Build(NetworkingConfig.Empty);

    public static HttpRouteTable Build(NetworkingConfig config)
    {
        var rulesExact = new Dictionary<string, DestinationRule>(StringComparer.Ordinal);
        var rulesWildcard = new List<(string, DestinationRule)>();
        foreach (var rule in config.DestinationRules)
        {
            if (rule.Host.StartsWith("*.", StringComparison.Ordinal))
            {
                rulesWildcard.Add((rule.Host[1..], rule));
            }
            else
            {
                rulesExact[rule.Host] = rule;
            }
        }

        rulesWildcard.Sort(static (a, b) => b.Item1.Length.CompareTo(a.Item1.Length));
        return new HttpRouteTable(config, rulesExact.ToFrozenDictionary(StringComparer.Ordinal), [.. rulesWildcard], table =>
        {
            var exact = new Dictionary<string, HostRoutes>(StringComparer.Ordinal);
            var wildcards = new List<(string, HostRoutes)>();
            foreach (var service in config.VirtualServices)
            {
                if (!service.AppliesToMesh)
                {
                    continue; // bound to gateways only: Istio gives it to no sidecar (GatewayRoutes compiles it)
                }

                foreach (var host in service.Hosts)
                {
                    var routes = table.Compile(host, service);
                    if (host.StartsWith("*.", StringComparison.Ordinal))
                    {
                        wildcards.Add((host[1..], routes));
                    }
                    else
                    {
                        exact[host] = routes;
                    }
                }
            }

            wildcards.Sort(static (a, b) => b.Item1.Length.CompareTo(a.Item1.Length));
            return (exact.ToFrozenDictionary(StringComparer.Ordinal), [.. wildcards]);
        });
    }

    /// <summary>
    /// The routes for requests to <paramref name="host"/> (a service FQDN, <see cref="HostName.ForService"/>). Hosts
    /// no VirtualService claims get the implicit route, compiled once per host and table.
    /// </summary>
    public HostRoutes ForHost(string host)
    {
        if (_exact.TryGetValue(host, out var routes))
        {
            return routes;
        }

        foreach (var (suffix, wildcard) in _wildcards)
        {
            if (host.EndsWith(suffix, StringComparison.Ordinal) && host.Length > suffix.Length)
            {
                return wildcard;
            }
        }

        return _implicit.GetOrAdd(host, static (h, table) => table.Compile(h, null), this);
    }

    /// <summary>The DestinationRule that governs <paramref name="host"/>: exact, else the longest wildcard; null if none.</summary>
    public DestinationRule? RuleFor(string host)
    {
        if (_rulesExact.TryGetValue(host, out var rule))
        {
            return rule;
        }

        foreach (var (suffix, wildcard) in _rulesWildcard)
        {
            if (host.EndsWith(suffix, StringComparison.Ordinal) && host.Length > suffix.Length)
            {
                return wildcard;
            }
        }

        return null;
    }

    internal HostRoutes Compile(string host, VirtualService? service)
    {
        if (service is null)
        {
            var target = new RouteTarget(new Destination(host, null, null), 100, RuleFor(host), HeaderEdits.None, HeaderEdits.None);
            return new HostRoutes(host, null, [new CompiledRoute("default", [], [target], null, HttpRetry.IstioDefault, null, null)], []);
        }

        var http = new CompiledRoute[service.Http.Count];
        for (var i = 0; i < http.Length; i++)
        {
            var route = service.Http[i];
            var targets = new RouteTarget[route.Route.Count];
            for (var t = 0; t < targets.Length; t++)
            {
                var destination = route.Route[t];
                targets[t] = new RouteTarget(destination.Destination, destination.Weight, RuleFor(destination.Destination.Host),
                    HeaderEdits.Flatten(destination.Headers.Request, route.Headers.Request),
                    HeaderEdits.Flatten(destination.Headers.Response, route.Headers.Response));
            }

            var retries = route.Retries switch
            {
                null => HttpRetry.IstioDefault,
                { Attempts: 0 } => HttpRetry.Disabled,
                var own => own,
            };
            http[i] = new CompiledRoute(route.Name ?? $"{service.Key}/{i}", route.Match, targets, route.Timeout, retries, route.Fault, route.RewriteUri);
        }

        var tcp = new (ushort[], RouteTarget[], WeightedPicker)[service.Tcp.Count];
        for (var i = 0; i < tcp.Length; i++)
        {
            var route = service.Tcp[i];
            var targets = new RouteTarget[route.Route.Count];
            var weights = new int[targets.Length];
            for (var t = 0; t < targets.Length; t++)
            {
                var destination = route.Route[t].Destination;
                targets[t] = new RouteTarget(destination, route.Route[t].Weight, RuleFor(destination.Host), HeaderEdits.None, HeaderEdits.None);
                weights[t] = targets.Length == 1 ? 1 : route.Route[t].Weight;
            }

            tcp[i] = ([.. route.Ports], targets, new WeightedPicker(weights));
        }

        return new HostRoutes(host, service, http, tcp);
    }
}
