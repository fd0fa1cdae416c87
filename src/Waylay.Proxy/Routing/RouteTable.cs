using System.Collections.Frozen;
using System.Net;
using Waylay.Mesh;
using Waylay.Mesh.Networking;
using Waylay.Proxy.Http.Routing;
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

    private RouteTable(MeshModel model, NetworkingConfig networking, HttpRouteTable http, FrozenDictionary<IPEndPoint, ServiceRoute> byAddress,
        FrozenDictionary<(string Host, ushort Port), ServiceRoute> byHost, IReadOnlyList<ServiceRoute> routes)
    {
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
        var routes = new List<ServiceRoute>();
        var seed = 0;
        foreach (var service in model.Services)
        {
            var host = HostName.ForService(service.Name, service.Namespace);
            var hostRoutes = http.ForHost(host);
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
                    var stats = registry.Get(service.Key, new IPEndPoint(endpoint.Address, endpoint.PortFor(port)));
                    stats.Health = endpoint.Health;
                    stats.Labels = endpoint.Labels;
                    all[i] = stats;
                    if (endpoint.Health == EndpointHealth.Healthy)
                    {
                        healthy.Add(stats);
                    }
                }

                var route = new ServiceRoute(service, port, all, [.. healthy], LoadBalancers.Create(service.LoadBalancer, seed++), host, hostRoutes);
                routes.Add(route);
                byHost[(host, port.Port)] = route;
                foreach (var address in service.Addresses)
                {
                    byAddress[new IPEndPoint(address, port.Port)] = route;
                }
            }
        }

        return new RouteTable(model, networking, http, byAddress.ToFrozenDictionary(), byHost.ToFrozenDictionary(), routes);
    }

    public bool TryGetService(IPEndPoint destination, out ServiceRoute route) => _byAddress.TryGetValue(destination, out route!);

    /// <summary>A route's destination by name: <c>reviews.bookinfo.svc.cluster.local</c> on 9080 (Envoy's cluster lookup).</summary>
    public bool TryGetService(string host, ushort port, out ServiceRoute route) => _byHost.TryGetValue((host, port), out route!);
}
