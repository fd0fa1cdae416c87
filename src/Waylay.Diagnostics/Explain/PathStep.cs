using System.Net;
using Waylay.Capture.Plan;
using Waylay.Node.State;

namespace Waylay.Diagnostics.Explain;

/// <summary>One numbered step of a predicted path, with what <c>--run</c> must observe for it to be confirmed.</summary>
internal sealed record PathStep(string Where, string What, IReadOnlyList<string> Details, IReadOnlyList<PathCheck> Checks)
{
    /// <summary>For a step through a pod's capture rules: what they do with the connection (captured or not).</summary>
    public Capture.Explain.VerdictKind? Capture { get; init; }

    /// <summary>The pod whose rules this step walks, when it is such a step.</summary>
    public string? Pod { get; init; }

    /// <summary>For the caller's proxy routing an HTTP service: the request <c>--run</c> sends so it picks an endpoint.</summary>
    public string? HttpRequest { get; init; }

    /// <summary>Filled by <c>--run</c>: each check and whether the kernel and the proxies showed it.</summary>
    public IReadOnlyList<(PathCheck Check, bool Seen, string Evidence)> Observed { get; init; } = [];
}

/// <summary>Something the kernel or a proxy shows when the connection goes the predicted way.</summary>
internal abstract record PathCheck(RunPod Pod)
{
    public abstract string Describe();
}

/// <summary>The rule's packet counter moves (it matched the connection's first packet).</summary>
internal sealed record RuleCounted(RunPod Pod, NetfilterTable Table, string Chain, string Text, Rule Planned) : PathCheck(Pod)
{
    public override string Describe() => $"{Pod.Name}: {Table.Name()} {Chain} rule '{Text}' counts the packet";
}

/// <summary>
/// A new conntrack entry in the pod for a connection from <paramref name="Source"/> (any port) to
/// <paramref name="Destination"/>, redirected to <paramref name="RedirectPort"/> or, when null, not rewritten.
/// </summary>
internal sealed record ConntrackSeen(RunPod Pod, IPAddress Source, IPEndPoint Destination, int? RedirectPort) : PathCheck(Pod)
{
    public override string Describe() => RedirectPort is { } port
        ? $"{Pod.Name}: conntrack has {Source} → {Destination} redirected to :{port}"
        : $"{Pod.Name}: conntrack has {Source} → {Destination}, not rewritten";
}

/// <summary>The pod's proxy relays a pair on <paramref name="Listener"/> whose original destination is <paramref name="Destination"/>.</summary>
internal sealed record ProxyRelays(RunPod Pod, string Listener, IPEndPoint Destination) : PathCheck(Pod)
{
    public override string Describe() => $"{Pod.Name}: the proxy's /connections has an {Listener} pair for {Destination}";
}

/// <summary>The pod's proxy wrote an access-log line for a request to <paramref name="RequestPath"/> (its container log).</summary>
internal sealed record AccessLogged(RunPod Pod, string RequestPath) : PathCheck(Pod)
{
    public override string Describe() => $"{Pod.Name}: the proxy's access log has GET {RequestPath}";
}

/// <summary>The pod's proxy holds a connection (a pair or a pooled upstream) to one of <paramref name="Endpoints"/>.</summary>
internal sealed record ProxyPools(RunPod Pod, IReadOnlyList<IPEndPoint> Endpoints) : PathCheck(Pod)
{
    public override string Describe() => $"{Pod.Name}: the proxy's /connections has an upstream to {string.Join(" or ", Endpoints)}";
}

/// <summary>A new conntrack entry in the pod from <paramref name="Source"/> to one of <paramref name="Endpoints"/>, not rewritten (the proxy's own connection).</summary>
internal sealed record ConntrackToOneOf(RunPod Pod, IPAddress Source, IReadOnlyList<IPEndPoint> Endpoints) : PathCheck(Pod)
{
    public override string Describe() => $"{Pod.Name}: conntrack has {Source} → {string.Join(" or ", Endpoints)}, not rewritten";
}
