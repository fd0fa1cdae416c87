using Waylay.Proxy.Configuration;

namespace Waylay.Proxy.Routing;

/// <summary>
/// A gateway pod's routes for the snapshot in force: <see cref="GatewayRoutes"/> built once per snapshot and per set of
/// the pod's labels (the kubelet may rewrite them, and a Gateway then selects the pod or stops selecting it), read by
/// every request (<see cref="GatewayBinding"/>) and by the listeners that follow the snapshot's ports.
/// </summary>
internal sealed class GatewayRouteCache(PodAddresses pod)
{
    private GatewayRoutes? _routes;
    private IReadOnlyDictionary<string, string> _labels = new Dictionary<string, string>();

    /// <summary>The pod's labels, as last read; the next <see cref="For"/> rebuilds the routes when they changed.</summary>
    public IReadOnlyDictionary<string, string> Labels
    {
        get => Volatile.Read(ref _labels);
        set => Volatile.Write(ref _labels, value);
    }

    /// <summary>The routes of <paramref name="table"/> for this pod's labels, built once per snapshot and labels.</summary>
    public GatewayRoutes For(RouteTable table)
    {
        var routes = Volatile.Read(ref _routes);
        var labels = Labels;
        if (routes is not null && ReferenceEquals(routes.Table, table) && ReferenceEquals(routes.Labels, labels))
        {
            return routes;
        }

        routes = GatewayRoutes.Build(table, labels, pod);
        Volatile.Write(ref _routes, routes);
        return routes;
    }
}
