namespace Waylay.Proxy.LoadBalancing;

/// <summary>
/// mesh.yaml's <c>LEAST_CONN</c>: the candidate with the fewest open connections, found by a scan; ties go round robin
/// so equal endpoints share.
/// </summary>
internal sealed class LeastConnectionsBalancer : ILoadBalancer
{
    public const string PolicyName = "LEAST_CONN";

    private int _next;

    public string Name => PolicyName;

    public EndpointStats Pick(in Candidates candidates, Random random)
    {
        var count = candidates.Count;
        var start = (int)((uint)Interlocked.Increment(ref _next) % (uint)count);
        var best = candidates[start];
        for (var i = 1; i < count; i++)
        {
            var candidate = candidates[(start + i) % count];
            if (candidate.Active < best.Active)
            {
                best = candidate;
            }
        }

        return best;
    }
}
