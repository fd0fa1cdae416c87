using Waylay.Mesh.Networking;

namespace Waylay.Proxy.LoadBalancing;

/// <summary>
/// DestinationRule <c>connectionPool</c> as Envoy's circuit breakers apply it to HTTP/1.1, where one connection
/// carries one request at a time: at most <c>tcp.maxConnections</c> requests hold an upstream connection; the next
/// ones wait, at most <c>http.http1MaxPendingRequests</c> of them; one more is refused at once (503, flag UO), which
/// is what Istio's circuit-breaking task shows with fortio.
/// </summary>
internal sealed class PoolLimiter
{
    private readonly SemaphoreSlim? _slots;
    private readonly int _maxPending;
    private int _pending;

    private PoolLimiter(int? maxConnections, int? maxPending)
    {
        _slots = maxConnections is > 0 and var max ? new SemaphoreSlim(max, max) : null;
        _maxPending = maxPending is > 0 and var pending ? pending : int.MaxValue;
    }

    public static PoolLimiter Unlimited { get; } = new(null, null);

    public int? MaxRequestsPerConnection { get; private init; }

    public TimeSpan? IdleTimeout { get; private init; }

    public int Pending => Volatile.Read(ref _pending);

    public static PoolLimiter For(ConnectionPoolSettings settings) => new(settings.MaxConnections, settings.Http1MaxPendingRequests)
    {
        MaxRequestsPerConnection = settings.MaxRequestsPerConnection is > 0 ? settings.MaxRequestsPerConnection : null,
        IdleTimeout = settings.IdleTimeout,
    };

    /// <summary>
    /// False when the request overflows the pending queue: answer 503 UO without touching the upstream. A free slot
    /// (or no limit) answers at once, without an async method's machinery: that is every request but a queued one.
    /// </summary>
    public ValueTask<bool> EnterAsync(CancellationToken cancellationToken) =>
        _slots is null || _slots.Wait(0, CancellationToken.None) ? new ValueTask<bool>(true) : QueueAsync(cancellationToken);

    private async ValueTask<bool> QueueAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _pending) > _maxPending)
        {
            Interlocked.Decrement(ref _pending);
            return false;
        }

        try
        {
            await _slots!.WaitAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        finally
        {
            Interlocked.Decrement(ref _pending);
        }
    }

    public void Exit() => _slots?.Release();
}
