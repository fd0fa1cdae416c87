using System.Collections.Concurrent;
using System.Net;

namespace Waylay.Proxy.LoadBalancing;

/// <summary>Endpoint counters by (service, address), shared by every snapshot.</summary>
internal sealed class EndpointStatsRegistry
{
    private readonly ConcurrentDictionary<(string Service, IPEndPoint Address), EndpointStats> _stats = new();

    public EndpointStats Get(string serviceKey, IPEndPoint address) =>
        _stats.GetOrAdd((serviceKey, address), static key => new EndpointStats(key.Service, key.Address));

    public ICollection<EndpointStats> All => _stats.Values;
}
