using System.Net;

namespace Waylay.Capture.Plan;

/// <summary>A value a rule compares with, possibly negated ("! -d 127.0.0.1/32").</summary>
public readonly record struct Negatable<T>(T Value, bool Negated = false)
{
    public static implicit operator Negatable<T>(T value) => new(value);
}

/// <summary>Conntrack states a rule may test.</summary>
[Flags]
public enum ConnState
{
    None = 0,
    New = 1,
    Established = 2,
    Related = 4,
    Invalid = 8,
}

/// <summary>
/// What a rule matches, as typed data. Only what Waylay's rules use is here; every field is matched by the renderers
/// and by <see cref="Explain.PacketClassifier"/> from this one definition.
/// </summary>
public sealed record Match
{
    public static readonly Match Any = new();
    public static readonly Match Tcp = new() { TcpOnly = true };

    public bool TcpOnly { get; init; }
    public Negatable<IPNetwork>? Source { get; init; }
    public Negatable<IPNetwork>? Destination { get; init; }
    public string? InInterface { get; init; }
    public string? OutInterface { get; init; }
    public Negatable<ushort>? DestinationPort { get; init; }
    public Negatable<uint>? UidOwner { get; init; }
    public Negatable<uint>? GidOwner { get; init; }

    /// <summary>The packet's fwmark ("-m mark --mark 0x53a", nft "meta mark 0x0000053a"), compared with the whole mark.</summary>
    public Negatable<uint>? Mark { get; init; }
    public ConnState State { get; init; }
}
