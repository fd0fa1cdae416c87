using System.Net;

namespace Waylay.Diagnostics.Conntrack;

/// <summary>One direction of a tracked connection as conntrack writes it: "src=… dst=… sport=… dport=…".</summary>
internal readonly record struct ConntrackTuple(IPEndPoint Source, IPEndPoint Destination)
{
    public override string ToString() => $"{Source} → {Destination}";
}

/// <summary>
/// A conntrack entry: the tuple the first packet had (original) and the one replies carry (reply). When the reply
/// does not come from where the original was sent, NAT rewrote the connection: in a pod that is the capture's
/// REDIRECT, and the reply's source is the proxy's listener.
/// </summary>
internal sealed record ConntrackEntry(string Protocol, string? State, int TimeoutSeconds, ConntrackTuple Original, ConntrackTuple Reply, IReadOnlyList<string> Flags, uint Mark)
{
    /// <summary>Where the connection really went, when NAT changed it (the reply's source), else null.</summary>
    public IPEndPoint? RedirectedTo => Reply.Source.Equals(Original.Destination) ? null : Reply.Source;

    /// <summary>Whether this entry is the connection from <paramref name="source"/> to <paramref name="destination"/> (as first sent).</summary>
    public bool Is(IPEndPoint source, IPEndPoint destination) =>
        Original.Source.Equals(source) && Original.Destination.Equals(destination);

    /// <summary>Whether the reply direction ends at <paramref name="local"/> (the socket a proxy sees as its peer's).</summary>
    public bool RepliesTo(IPEndPoint local) => Reply.Destination.Equals(local);
}
