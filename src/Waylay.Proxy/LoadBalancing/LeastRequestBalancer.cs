namespace Waylay.Proxy.LoadBalancing;

/// <summary>
/// LEAST_REQUEST as Envoy does it when weights are equal: the power of two choices. Draw two distinct candidates at
/// random and take the one with fewer requests in flight (ties: the first drawn). It needs no scan of all endpoints,
/// yet keeps the most loaded ones nearly idle (Mitzenmacher, "The Power of Two Choices in Randomized Load Balancing").
/// </summary>
internal sealed class LeastRequestBalancer : ILoadBalancer
{
    public const string PolicyName = "LEAST_REQUEST";

    public string Name => PolicyName;

    public EndpointStats Pick(in Candidates candidates, Random random)
    {
        var count = candidates.Count;
        if (count == 1)
        {
            return candidates[0];
        }

        var a = random.Next(count);
        var b = random.Next(count - 1);
        b += b >= a ? 1 : 0; // distinct from the first, still uniform
        var first = candidates[a];
        var second = candidates[b];
        return second.RequestsActive < first.RequestsActive ? second : first;
    }
}
