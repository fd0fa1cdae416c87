namespace Waylay.Proxy.LoadBalancing;

/// <summary>The healthy endpoint with the fewest active connections; ties go round robin so equal endpoints share.</summary>
internal sealed class LeastConnectionsBalancer(int seed) : ILoadBalancer
{
    private int _next = seed;

    public EndpointStats Pick(EndpointStats[] healthy)
    {
        var start = (int)((uint)Interlocked.Increment(ref _next) % (uint)healthy.Length);
        var best = healthy[start];
        for (var i = 1; i < healthy.Length; i++)
        {
            var candidate = healthy[(start + i) % healthy.Length];
            if (candidate.Active < best.Active)
            {
                best = candidate;
            }
        }

        return best;
    }
}
