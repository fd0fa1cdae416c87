using System.Collections.Frozen;
using System.Net;
using Waylay.Proxy.Configuration;
using Waylay.Mesh;
using Waylay.Mesh.Networking;
using Waylay.Proxy.Routing;

namespace Waylay.Proxy.Routing;

/// <summary>
/// What a gateway proxy serves under one snapshot, as Istio builds a gateway's listeners and routes:
/// <code>
///   Gateways whose selector matches the pod's labels ──► their servers by port; a port a Service of this pod maps
///     (80 → targetPort 8080) is listened on at the target port, any other as written
///   VirtualServices naming such a Gateway (namespace/name) ──► per listen port, virtual hosts: a VirtualService host
///     the server's hosts admit (namespace and host), compiled with the sidecar's route compiler
///   request Host ──► the most specific virtual host (exact, then the longest *.suffix, then *) ──► first matching
///     route; none: 404 NR, as Envoy's gateway answers
/// </code>
/// Immutable; built once per snapshot and set of the pod's labels (<see cref="GatewayRouteCache"/> keeps the last one).
/// </summary>
internal sealed class GatewayRoutes
{
    private readonly FrozenDictionary<ushort, Listener> _listeners;

    private GatewayRoutes(RouteTable table, IReadOnlyDictionary<string, string> labels, FrozenDictionary<ushort, Listener> listeners)
    {
        Table = table;
        Labels = labels;
        _listeners = listeners;
    }

    public RouteTable Table { get; }

    /// <summary>The pod labels the Gateways were selected with.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; }

    /// <summary>The ports to listen on, each with the Gateway servers it serves (for logs).</summary>
    public IEnumerable<ushort> Ports => _listeners.Keys;

    public string Describe(ushort port) => _listeners.TryGetValue(port, out var listener) ? listener.Description : "";

    public static GatewayRoutes Build(RouteTable table, IReadOnlyDictionary<string, string> labels, PodAddresses pod)
    {
        var builders = new Dictionary<ushort, (ushort ServerPort, List<string> Servers, List<VirtualHost> Hosts)>();
        foreach (var gateway in table.Networking.Gateways)
        {
            if (!gateway.Selects(labels))
            {
                continue;
            }

            var bound = table.Networking.VirtualServices.Where(v => v.BoundTo(gateway.Reference)).ToList();
            foreach (var server in gateway.Servers)
            {
                var port = ListenPort(table.Model, server.Port, pod);
                if (!builders.TryGetValue(port, out var builder))
                {
                    builders[port] = builder = (server.Port, [], []);
                }

                builder.Servers.Add($"{gateway.Key} {server.PortName}:{server.Port}");
                foreach (var service in bound)
                {
                    foreach (var host in service.Hosts)
                    {
                        if (server.Admits(service.Namespace, host, gateway.Namespace))
                        {
                            builder.Hosts.Add(new VirtualHost(host, server, gateway.Namespace, service.Namespace, table.Http.Compile(host, service)));
                        }
                    }
                }
            }
        }

        var listeners = builders.ToFrozenDictionary(b => b.Key, b => new Listener(b.Value.ServerPort, string.Join(", ", b.Value.Servers), [.. b.Value.Hosts]));
        return new GatewayRoutes(table, labels, listeners);
    }

    /// <summary>
    /// The route for a request that came in on <paramref name="listenPort"/> for <paramref name="authority"/> (the Host
    /// header); a destination without a port goes to its service's only port, as Istio requires of gateway routes.
    /// </summary>
    public RouteSelection Select(ushort listenPort, ReadOnlySpan<byte> authority, in RouteRequest request, Random random)
    {
        if (!_listeners.TryGetValue(listenPort, out var listener) || listener.Find(HostOf(authority)) is not { } host)
        {
            return new RouteSelection(RouteOutcome.NoRoute, null, null, null, listener?.ServerPort ?? listenPort);
        }

        var selection = host.Routes.Select(request with { Port = listener.ServerPort }, random);
        if (selection.Target is { Destination.Port: null } target && OnlyPort(Table.Model, target.Destination.Host) is { } only)
        {
            selection = selection with { Port = only };
        }

        return selection;
    }

    private static string HostOf(ReadOnlySpan<byte> authority)
    {
        // host[:port], or [v6]:port: the port is not part of the name Envoy matches domains against.
        var end = authority.Length;
        var colon = authority.LastIndexOf((byte)':');
        if (colon >= 0 && authority.LastIndexOf((byte)']') < colon)
        {
            end = colon;
        }

        return System.Text.Encoding.ASCII.GetString(authority[..end]).ToLowerInvariant();
    }

    private static ushort ListenPort(MeshModel model, ushort serverPort, PodAddresses pod)
    {
        foreach (var service in model.Services)
        {
            foreach (var endpoint in service.Endpoints)
            {
                if (!pod.IsOwn(endpoint.Address))
                {
                    continue;
                }

                foreach (var port in service.Ports)
                {
                    if (port.Port == serverPort && port.Protocol == TransportProtocol.Tcp)
                    {
                        return endpoint.PortFor(port);
                    }
                }
            }
        }

        return serverPort;
    }

    private static ushort? OnlyPort(MeshModel model, string host)
    {
        foreach (var service in model.Services)
        {
            if (HostName.ForService(service.Name, service.Namespace) == host)
            {
                return service.Ports.Count == 1 ? service.Ports[0].Port : null;
            }
        }

        return null;
    }

    /// <summary>A VirtualService host on one Gateway server, with its compiled routes.</summary>
    private sealed record VirtualHost(string Host, GatewayServer Server, string GatewayNamespace, string ServiceNamespace, HostRoutes Routes)
    {
        /// <summary>Envoy's order of domains: an exact name first, then the longest wildcard suffix, "*" last.</summary>
        public int Specificity => Host == "*" ? 0 : Host.StartsWith("*.", StringComparison.Ordinal) ? Host.Length : int.MaxValue;

        public bool Matches(string requestHost)
        {
            if (!GatewayHost.Matches(Host, requestHost))
            {
                return false;
            }

            foreach (var allowed in Server.Hosts)
            {
                if (allowed.AllowsNamespace(ServiceNamespace, GatewayNamespace) && GatewayHost.Matches(allowed.Host, requestHost))
                {
                    return true;
                }
            }

            return false;
        }
    }

    private sealed record Listener(ushort ServerPort, string Description, VirtualHost[] Hosts)
    {
        public VirtualHost? Find(string requestHost)
        {
            VirtualHost? best = null;
            foreach (var host in Hosts)
            {
                if (host.Matches(requestHost) && (best is null || host.Specificity > best.Specificity))
                {
                    best = host;
                }
            }

            return best;
        }
    }
}
