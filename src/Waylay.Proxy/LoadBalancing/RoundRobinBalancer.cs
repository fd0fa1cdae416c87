namespace Waylay.Proxy.LoadBalancing;

/// <summary>Each healthy endpoint in turn, starting at a seeded offset so a fleet of proxies does not all start at the first.</summary>
internal sealed class RoundRobinBalancer(int seed) : ILoadBalancer
{
    private int _next = seed;

    public EndpointStats Pick(EndpointStats[] healthy)
    {
        var index = (uint)Interlocked.Increment(ref _next) % (uint)healthy.Length;
        return healthy[index];
    }
}
