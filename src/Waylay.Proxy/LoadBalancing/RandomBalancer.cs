namespace Waylay.Proxy.LoadBalancing;

/// <summary>
/// RANDOM: a uniformly random healthy endpoint. Envoy recommends it over round robin when there is no health
/// checking, because many proxies starting in step do not then all hit the same endpoint first.
/// </summary>
/// <param name="random"><c>Random.Shared</c> in production (thread-safe); a seeded instance in tests.</param>
public sealed class RandomBalancer(Random random) : ILoadBalancer
{
    public T Pick<T>(IReadOnlyList<T> candidates) => candidates[candidates.Count == 1 ? 0 : random.Next(candidates.Count)];

    EndpointStats ILoadBalancer.Pick(EndpointStats[] healthy) => Pick(healthy);
}
