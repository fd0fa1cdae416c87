namespace Waylay.Proxy.LoadBalancing;

/// <summary>
/// LEAST_REQUEST as Envoy does it when weights are equal: the power of two choices. Draw two distinct endpoints at
/// random and take the one with fewer requests in flight (ties: the first drawn). It needs no scan of all endpoints,
/// yet keeps the most loaded ones nearly idle (Mitzenmacher, "The Power of Two Choices in Randomized Load Balancing").
/// </summary>
/// <param name="random"><c>Random.Shared</c> in production (thread-safe); a seeded instance in tests.</param>
public sealed class LeastRequestBalancer(Random random) : ILoadBalancer
{
    /// <param name="load">Requests (or connections, at L4) in flight on a candidate; pass a static lambda so nothing is allocated.</param>
    public T Pick<T>(IReadOnlyList<T> candidates, Func<T, long> load)
    {
        var count = candidates.Count;
        if (count == 1)
        {
            return candidates[0];
        }

        var first = random.Next(count);
        var second = random.Next(count - 1);
        if (second >= first)
        {
            second++; // distinct from the first, still uniform
        }

        var a = candidates[first];
        var b = candidates[second];
        return load(b) < load(a) ? b : a;
    }

    /// <summary>At L4 a connection is the unit of work, so "requests in flight" is the endpoint's active connections.</summary>
    EndpointStats ILoadBalancer.Pick(EndpointStats[] healthy) => Pick(healthy, static e => e.Active);
}
