using Waylay.Proxy.Configuration;
using Waylay.Proxy.LoadBalancing;

namespace Waylay.Proxy.Routing;

/// <summary>
/// The route table new connections are routed with: built from each snapshot the configuration source yields and
/// swapped by reference, so a connection keeps the table it was accepted under until it closes while the next one
/// takes the new table (YARP's ProxyConfigManager). Whatever the source (files, discovery), this is the one place
/// a snapshot becomes routes.
/// </summary>
internal sealed class RouteTableManager : IDisposable
{
    private readonly IMeshSource _source;
    private readonly EndpointStatsRegistry _endpoints;
    private RouteTable _current;

    public RouteTableManager(IMeshSource source, EndpointStatsRegistry endpoints)
    {
        _source = source;
        _endpoints = endpoints;
        source.Changed += Rebuild;
        _current = Build(source.Current);
    }

    public RouteTable Current => Volatile.Read(ref _current);

    public IMeshSource Source => _source;

    public void Dispose() => _source.Changed -= Rebuild;

    private void Rebuild() => Volatile.Write(ref _current, Build(_source.Current));

    private RouteTable Build(MeshConfig config) => RouteTable.Build(config.Model, config.Networking, _endpoints);
}
