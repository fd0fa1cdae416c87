using System.Collections.Frozen;
using System.Net;
using Waylay.Mesh;
using Waylay.Proxy.LoadBalancing;

namespace Waylay.Proxy.Routing;

/// <summary>
/// An immutable snapshot built from one <see cref="MeshModel"/>: service address:port → route. A connection keeps
/// the table it was accepted under; a reload builds a new one and swaps the reference (YARP's ProxyConfigManager).
/// </summary>
internal sealed class RouteTable
{
    private readonly FrozenDictionary<IPEndPoint, ServiceRoute> _byAddress;

    private RouteTable(MeshModel model, FrozenDictionary<IPEndPoint, ServiceRoute> byAddress, IReadOnlyList<ServiceRoute> routes)
    {
        Model = model;
        _byAddress = byAddress;
        Routes = routes;
    }

    public MeshModel Model { get; }

    public string Version => Model.Version;

    public IReadOnlyList<ServiceRoute> Routes { get; }

    public static RouteTable Build(MeshModel model, EndpointStatsRegistry registry)
    {
        var byAddress = new Dictionary<IPEndPoint, ServiceRoute>();
        var routes = new List<ServiceRoute>();
        var seed = 0;
        foreach (var service in model.Services)
        {
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
                    all[i] = stats;
                    if (endpoint.Health == EndpointHealth.Healthy)
                    {
                        healthy.Add(stats);
                    }
                }

                var route = new ServiceRoute(service, port, all, [.. healthy], LoadBalancers.Create(service.LoadBalancer, seed++));
                routes.Add(route);
                foreach (var address in service.Addresses)
                {
                    byAddress[new IPEndPoint(address, port.Port)] = route;
                }
            }
        }

        return new RouteTable(model, byAddress.ToFrozenDictionary(), routes);
    }

    public bool TryGetService(IPEndPoint destination, out ServiceRoute route) => _byAddress.TryGetValue(destination, out route!);
}
