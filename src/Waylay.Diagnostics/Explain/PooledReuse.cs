using System.Net;
using Waylay.Diagnostics.Conntrack;
using Waylay.Diagnostics.Proxy;

namespace Waylay.Diagnostics.Explain;

/// <summary>
/// The caller's proxy sent the request on a pooled upstream connection it had opened before the run, as a pooling
/// proxy should. That hop made no new packet cross the rules and no new conntrack entry: its rule counters moved, and
/// its entries were made, when the pooled connection was opened. So the hop is confirmed from that connection's own
/// conntrack entries (the caller's: not rewritten; the peer's: redirected to its inbound listener), which still show
/// where the rules sent it, instead of from deltas that cannot move.
/// </summary>
internal sealed record PooledReuse(long PoolId, IPEndPoint Local, IPEndPoint Endpoint)
{
    /// <summary>
    /// The run's own downstream pair in the caller's proxy (a pair that is new since <paramref name="before"/>, to
    /// <paramref name="destination"/>), when its latest request went out on a pooled connection that was already open.
    /// </summary>
    public static PooledReuse? Find(IReadOnlyList<ProxyConnection> before, IReadOnlyList<ProxyConnection> after, IPEndPoint destination)
    {
        var known = before.Where(c => c.IsPair).Select(c => c.Id).ToHashSet();
        var pair = after.FirstOrDefault(c => c.IsPair && !known.Contains(c.Id) && destination.Equals(c.OriginalDestination) && c.UpstreamLocal is not null);
        var pooled = pair is null ? null : before.FirstOrDefault(c => !c.IsPair && pair.UpstreamLocal!.Equals(c.UpstreamLocal) && pair.Endpoint!.Equals(c.Endpoint));
        return pooled is null ? null : new PooledReuse(pooled.Id, pair!.UpstreamLocal!, pair.Endpoint!);
    }

    /// <summary>A check of the hop the pooled connection carries, confirmed from that connection's entry in the check's pod.</summary>
    public (PathCheck, bool, string) Observe(PathCheck check, IReadOnlyList<ConntrackEntry> conntrack)
    {
        var entry = conntrack.FirstOrDefault(e => e.Is(Local, Endpoint));
        var redirect = check is ConntrackSeen { RedirectPort: { } port } ? port : (int?)null;
        var fits = entry is not null && (check is not ConntrackSeen && check is not ConntrackToOneOf
            || (redirect is { } p ? entry.RedirectedTo?.Port == p : entry.RedirectedTo is null));
        var reused = $"the request went on the proxy's pooled connection #{PoolId} {Local} → {Endpoint}, open before this run (counted when it was opened)";
        return (check, fits, entry is null ? $"{reused}, but conntrack has no entry for it"
            : $"{reused}; its entry: {entry.Protocol} {entry.State} {entry.Original} reply {entry.Reply}");
    }

    /// <summary>Whether a check belongs to the hop the pooled connection carries: the proxy's own onward packet, or the peer's arrival.</summary>
    public bool Covers(PathStep step, PathCheck check) =>
        check is RuleCounted or ConntrackSeen or ConntrackToOneOf
        && (step.Checks.Any(c => c is ProxyPools) || (step.Where.EndsWith("PREROUTING", StringComparison.Ordinal) && Endpoint.Address.Equals(check.Pod.Address)));
}
