namespace Waylay.Inject.Values;

/// <summary>The proxy's ports (design.md, Contracts). Changing them changes the capture flags and the proxy's arguments together.</summary>
internal sealed record ProxyPorts
{
    public ushort Outbound { get; init; } = 15001;
    public ushort Inbound { get; init; } = 15006;
    public ushort Admin { get; init; } = 15000;
    public ushort Health { get; init; } = 15021;
    public ushort Metrics { get; init; } = 15090;

    /// <summary>Istio's agent status port: reserved, and excluded from inbound capture exactly as Istio excludes it.</summary>
    public ushort Status { get; init; } = 15020;
}
