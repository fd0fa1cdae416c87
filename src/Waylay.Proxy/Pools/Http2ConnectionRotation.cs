using System.Net;

namespace Waylay.Proxy.Pools;

/// <summary>
/// DestinationRule <c>http.maxRequestsPerConnection</c> on h2 for one endpoint of one cluster: Envoy retires an
/// upstream connection after that many streams (it opens no new stream on it, lets the ones in flight finish, then
/// closes it), and the next request opens a new connection. SocketsHttpHandler has no per-connection request limit,
/// so the rotation hands out pools instead (<see cref="Http2PoolHost"/>): a generation's pool takes exactly
/// <c>max</c> requests, the next request starts a new generation, and a full generation whose requests have all
/// ended is retired: its connection is closed (no stream is open on it, and none can be: nothing is sent to its
/// pool any more). A generation can hold more than one connection only past the upstream's concurrent-stream limit.
/// </summary>
internal sealed class Http2ConnectionRotation(IPEndPoint endpoint, int maxRequests)
{
    private static long s_nextPool;
    private readonly Lock _lock = new();
    private Generation? _current;

    public int MaxRequests { get; } = maxRequests;

    /// <summary>The generation one try goes to; pair with <see cref="Exit"/>.</summary>
    public Generation Enter()
    {
        lock (_lock)
        {
            if (_current is null || _current.Assigned == MaxRequests)
            {
                var pool = Interlocked.Increment(ref s_nextPool);
                _current = new Generation($"http://{Http2PoolHost.Format(endpoint.Address, pool)}:{endpoint.Port}");
            }

            _current.Assigned++;
            _current.Active++;
            return _current;
        }
    }

    /// <summary>True when the try was the last of a full generation: close its connections now.</summary>
    public bool Exit(Generation generation)
    {
        lock (_lock)
        {
            generation.Active--;
            return generation.Assigned == MaxRequests && generation.Active == 0;
        }
    }

    internal sealed class Generation(string prefix)
    {
        /// <summary>The destination prefix (<c>http://p1a-0a000005:9080</c>) whose pool is this generation's.</summary>
        public string Prefix { get; } = prefix;

        /// <summary>The host the pool's connections were dialled with.</summary>
        public string Host => Prefix[7..Prefix.LastIndexOf(':')];

        public int Assigned { get; set; }

        public int Active { get; set; }
    }
}
