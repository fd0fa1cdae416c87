using System.Net;
using Waylay.Mesh;

namespace Waylay.Proxy.LoadBalancing;

/// <summary>
/// One endpoint of one service as the proxy sees it: where it is, its health, and its connection counters. The
/// counters live in <see cref="EndpointStatsRegistry"/> so they survive config reloads (least-connections and
/// <c>/clusters</c> need the live count of connections accepted under an older snapshot).
/// </summary>
internal sealed class EndpointStats(string serviceKey, IPEndPoint address)
{
    private long _active;
    private long _total;
    private long _connectFailures;

    public string ServiceKey { get; } = serviceKey;

    public IPEndPoint Address { get; } = address;

    /// <summary>Set from the latest snapshot that names this endpoint.</summary>
    public EndpointHealth Health { get; set; }

    public long Active => Volatile.Read(ref _active);

    public long Total => Volatile.Read(ref _total);

    public long ConnectFailures => Volatile.Read(ref _connectFailures);

    public void Opened()
    {
        Interlocked.Increment(ref _active);
        Interlocked.Increment(ref _total);
    }

    public void Closed() => Interlocked.Decrement(ref _active);

    public void ConnectFailed() => Interlocked.Increment(ref _connectFailures);
}
