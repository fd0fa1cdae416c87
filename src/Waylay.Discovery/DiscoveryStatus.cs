namespace Waylay.Discovery;

/// <summary>The client's state for the proxy's admin API: where it connects, what it runs, the last refusal.</summary>
public sealed record DiscoveryStatus(
    string Address,
    bool Connected,
    string RunningVersion,
    IReadOnlyDictionary<string, string> Versions,
    long Connects,
    long Acks,
    long Nacks,
    string? LastNack,
    string? LastError);
