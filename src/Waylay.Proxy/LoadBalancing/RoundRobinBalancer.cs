namespace Waylay.Proxy.LoadBalancing;

/// <summary>Each candidate in turn (ROUND_ROBIN, Istio's default).</summary>
internal sealed class RoundRobinBalancer : ILoadBalancer
{
    public const string PolicyName = "ROUND_ROBIN";

    private int _next;

    public string Name => PolicyName;

    public EndpointStats Pick(in Candidates candidates, Random random) =>
        candidates[(int)((uint)Interlocked.Increment(ref _next) % (uint)candidates.Count)];
}
