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
    private long _requests;
    private long _requestsActive;

    public string ServiceKey { get; } = serviceKey;

    public IPEndPoint Address { get; } = address;

    /// <summary>Set from the latest snapshot that names this endpoint.</summary>
    public EndpointHealth Health { get; set; }

    /// <summary>Set from the latest snapshot that names this endpoint; DestinationRule subsets select on them.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; set; } = System.Collections.Frozen.FrozenDictionary<string, string>.Empty;

    public long Active => Volatile.Read(ref _active);

    /// <summary>HTTP requests in flight to this endpoint: LEAST_REQUEST's load at L7, where pooled connections outlive requests.</summary>
    public long RequestsActive => Volatile.Read(ref _requestsActive);

    public long Requests => Volatile.Read(ref _requests);

    public long Total => Volatile.Read(ref _total);

    public long ConnectFailures => Volatile.Read(ref _connectFailures);

    public void Opened()
    {
        Interlocked.Increment(ref _active);
        Interlocked.Increment(ref _total);
    }

    public void Closed() => Interlocked.Decrement(ref _active);

    public void ConnectFailed() => Interlocked.Increment(ref _connectFailures);

    public void RequestStarted()
    {
        Interlocked.Increment(ref _requestsActive);
        Interlocked.Increment(ref _requests);
    }

    public void RequestFinished() => Interlocked.Decrement(ref _requestsActive);
}
