namespace Waylay.Proxy.LoadBalancing;

/// <summary>
/// RANDOM: a uniformly random candidate. Envoy recommends it over round robin when there is no health checking,
/// because many proxies starting in step do not then all hit the same endpoint first.
/// </summary>
internal sealed class RandomBalancer : ILoadBalancer
{
    public const string PolicyName = "RANDOM";

    public string Name => PolicyName;

    public EndpointStats Pick(in Candidates candidates, Random random) => candidates[candidates.Count == 1 ? 0 : random.Next(candidates.Count)];
}
