using System.Collections.Frozen;
using System.Net;
using Waylay.Mesh;
using Waylay.Mesh.Networking;
using Waylay.Proxy.LoadBalancing;

namespace Waylay.Proxy.Routing;

/// <summary>
/// An immutable snapshot built from one <see cref="MeshModel"/>: service address:port → route. A connection keeps
/// the table it was accepted under; a reload builds a new one and swaps the reference (YARP's ProxyConfigManager).
/// </summary>
internal sealed class RouteTable
{
    private readonly FrozenDictionary<IPEndPoint, ServiceRoute> _byAddress;

    private readonly FrozenDictionary<(string Host, ushort Port), ServiceRoute> _byHost;

    private readonly FrozenDictionary<IPEndPoint, DeclaredProtocol> _byEndpoint;

    private RouteTable(MeshModel model, NetworkingConfig networking, HttpRouteTable http, FrozenDictionary<IPEndPoint, ServiceRoute> byAddress,
        FrozenDictionary<(string Host, ushort Port), ServiceRoute> byHost, FrozenDictionary<IPEndPoint, DeclaredProtocol> byEndpoint, IReadOnlyList<ServiceRoute> routes)
    {
        _byEndpoint = byEndpoint;
        Model = model;
        Networking = networking;
        Http = http;
        _byAddress = byAddress;
        _byHost = byHost;
        Routes = routes;
    }

    public MeshModel Model { get; }

    public string Version => Model.Version;

    /// <summary>The VirtualServices and DestinationRules this snapshot was built with (<c>--rules</c>).</summary>
    public NetworkingConfig Networking { get; }

    public HttpRouteTable Http { get; }

    public IReadOnlyList<ServiceRoute> Routes { get; }

    public static RouteTable Build(MeshModel model, EndpointStatsRegistry registry) => Build(model, NetworkingConfig.Empty, registry);

    public static RouteTable Build(MeshModel model, NetworkingConfig networking, EndpointStatsRegistry registry)
    {
        var http = HttpRouteTable.Build(networking);
        var byAddress = new Dictionary<IPEndPoint, ServiceRoute>();
        var byHost = new Dictionary<(string, ushort), ServiceRoute>();
        var byEndpoint = new Dictionary<IPEndPoint, DeclaredProtocol>();
        var routes = new List<ServiceRoute>();
        foreach (var service in model.Services)
        {
            var host = HostName.ForService(service.Name, service.Namespace);
            var hostRoutes = http.ForHost(host);
            var rule = http.RuleFor(host);
            foreach (var port in service.Ports)
            {
                if (port.Protocol != TransportProtocol.Tcp)
                {
                    continue;
                }

                var all = new EndpointStats[service.Endpoints.Count];
                var healthy = new List<EndpointStats>();
                for (var i = 0; i < all.Length; i++)
                {
                    var endpoint = service.Endpoints[i];
                    var target = new IPEndPoint(endpoint.Address, endpoint.PortFor(port));
                    var stats = registry.Get(service.Key, target);
                    DeclareInbound(byEndpoint, target, PortProtocol.Of(port));
                    stats.Health = endpoint.Health;
                    stats.Labels = endpoint.Labels;
                    all[i] = stats;
                    if (endpoint.Health == EndpointHealth.Healthy)
                    {
                        healthy.Add(stats);
                    }
                }

                var route = new ServiceRoute(service, port, all, [.. healthy], host, hostRoutes, rule);
                routes.Add(route);
                byHost[(host, port.Port)] = route;
                foreach (var address in service.Addresses)
                {
                    byAddress[new IPEndPoint(address, port.Port)] = route;
                }
            }
        }

        return new RouteTable(model, networking, http, byAddress.ToFrozenDictionary(), byHost.ToFrozenDictionary(), byEndpoint.ToFrozenDictionary(), routes);
    }

    /// <summary>
    /// What the services this address:port serves declare about it: the protocol an inbound connection to it is
    /// taken for, as Istio builds a pod's inbound listener from the ports of the services that select it. Services
    /// that disagree about one target port leave it undeclared (sniffed).
    /// </summary>
    public DeclaredProtocol InboundProtocol(IPEndPoint destination) =>
        _byEndpoint.TryGetValue(destination, out var declared) ? declared : DeclaredProtocol.Unknown;

    private static void DeclareInbound(Dictionary<IPEndPoint, DeclaredProtocol> byEndpoint, IPEndPoint target, DeclaredProtocol declared)
    {
        if (byEndpoint.TryGetValue(target, out var earlier) && earlier != declared)
        {
            // http and http2 are both HTTP to the inbound path (h2c is told from its preface): keep the HTTP verdict.
            declared = earlier is DeclaredProtocol.Http or DeclaredProtocol.Http2 && declared is DeclaredProtocol.Http or DeclaredProtocol.Http2
                ? DeclaredProtocol.Http
                : DeclaredProtocol.Unknown;
        }

        byEndpoint[target] = declared;
    }

    public bool TryGetService(IPEndPoint destination, out ServiceRoute route) => _byAddress.TryGetValue(destination, out route!);

    /// <summary>A route's destination by name: <c>reviews.bookinfo.svc.cluster.local</c> on 9080 (Envoy's cluster lookup).</summary>
    public bool TryGetService(string host, ushort port, out ServiceRoute route) => _byHost.TryGetValue((host, port), out route!);
}
