using Waylay.Mesh.Networking;

namespace Waylay.Proxy.Routing;

internal enum RouteOutcome
{
    /// <summary>A route and a destination were chosen.</summary>
    Routed,

    /// <summary>No route of the host's VirtualService matched: 404, response flag NR.</summary>
    NoRoute,

    /// <summary>The chosen destination names a subset no DestinationRule defines: 503, response flag NC.</summary>
    NoCluster,
}

/// <summary>A fault decided for one request: wait, then either forward or answer with the abort status.</summary>
internal readonly record struct FaultDecision(TimeSpan? Delay, int? AbortStatus)
{
    public bool IsNone => Delay is null && AbortStatus is null;
}

/// <summary>
/// Everything the forwarder needs for one request, decided once: the route, the destination, the policies in force.
/// A struct over immutable build-time objects: selecting allocates nothing.
/// </summary>
internal readonly record struct RouteSelection(RouteOutcome Outcome, CompiledRoute? Route, RouteTarget? Target, HttpMatchRequest? Match, ushort Port)
{
    /// <summary>The status to answer with when the request is not routed.</summary>
    public int StatusCode => Outcome switch
    {
        RouteOutcome.NoRoute => 404,
        RouteOutcome.NoCluster => 503,
        _ => 0,
    };

    /// <summary>Envoy's response flag for the access log.</summary>
    public string ResponseFlag => Outcome switch
    {
        RouteOutcome.NoRoute => "NR",
        RouteOutcome.NoCluster => "NC",
        _ => "-",
    };

    /// <summary>The port the upstream connection goes to.</summary>
    public ushort DestinationPort => Target?.PortFor(Port) ?? Port;

    public TimeSpan? Timeout => Route?.Timeout;

    public HttpRetry Retries => Route?.Retries ?? HttpRetry.Disabled;

    public ClusterPolicy Policy => Target?.PolicyFor(DestinationPort) ?? ClusterPolicy.Default;

    /// <summary>
    /// Envoy's <c>prefix_rewrite</c> as Istio configures it for <c>rewrite.uri</c>: the matched prefix is replaced;
    /// for exact and regex matches the whole path is; a match block without a uri condition is a "/" prefix (so
    /// <c>/a</c> rewritten with <c>/v2</c> becomes <c>/v2a</c>, as in Istio). The query string is kept.
    /// </summary>
    public string RewritePath(string pathAndQuery)
    {
        if (Route?.RewriteUri is not { } rewrite)
        {
            return pathAndQuery;
        }

        var query = pathAndQuery.IndexOf('?');
        var path = query < 0 ? pathAndQuery : pathAndQuery[..query];
        var rest = query < 0 ? "" : pathAndQuery[query..];
        return Match?.Uri switch
        {
            { Kind: StringMatchKind.Prefix } prefix => rewrite + pathAndQuery[prefix.Value.Length..],
            { Kind: StringMatchKind.Exact or StringMatchKind.Regex } => rewrite + rest,
            _ => rewrite + path[1..] + rest,
        };
    }

    /// <summary>Decides the route's fault for this request (delay and abort drawn independently, as Envoy does).</summary>
    public FaultDecision DecideFault(Random random)
    {
        if (Route?.Fault is not { } fault)
        {
            return default;
        }

        TimeSpan? delay = fault.Delay is { } d && Draw(random, d.Percentage) ? d.FixedDelay : null;
        int? abort = fault.Abort is { } a && Draw(random, a.Percentage) ? a.HttpStatus : null;
        return new FaultDecision(delay, abort);
    }

    private static bool Draw(Random random, double percentage) => percentage >= 100 || (percentage > 0 && random.NextDouble() * 100 < percentage);
}
