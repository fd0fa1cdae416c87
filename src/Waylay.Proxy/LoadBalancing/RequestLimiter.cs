using Waylay.Mesh.Networking;

namespace Waylay.Proxy.LoadBalancing;

/// <summary>
/// DestinationRule <c>connectionPool.http.http2MaxRequests</c> as Envoy's <c>max_requests</c> circuit breaker applies
/// it: at most that many requests (tries) in flight to the cluster at once; one more is refused at once, nothing
/// queues (503, flag UO; a gRPC caller sees UNAVAILABLE).
/// </summary>
internal sealed class RequestLimiter
{
    private readonly int _max;
    private int _active;

    private RequestLimiter(int max) => _max = max;

    public static RequestLimiter Unlimited { get; } = new(int.MaxValue);

    public int Active => Volatile.Read(ref _active);

    public static RequestLimiter For(ConnectionPoolSettings settings) =>
        settings.Http2MaxRequests is > 0 and var max ? new RequestLimiter(max) : Unlimited;

    /// <summary>False when the cluster already has its maximum of requests in flight: answer 503 UO.</summary>
    public bool TryEnter()
    {
        if (_max == int.MaxValue)
        {
            return true;
        }

        if (Interlocked.Increment(ref _active) > _max)
        {
            Interlocked.Decrement(ref _active);
            return false;
        }

        return true;
    }

    public void Exit()
    {
        if (_max != int.MaxValue)
        {
            Interlocked.Decrement(ref _active);
        }
    }
}
