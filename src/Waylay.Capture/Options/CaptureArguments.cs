namespace Waylay.Capture.Options;

/// <summary>
/// The flags exactly as the user typed them (null = not given). istio-iptables reads an environment variable for most
/// flags that are not given; <see cref="CaptureOptionsParser"/> does the same so an init container configured by env
/// alone behaves identically.
/// </summary>
public sealed record CaptureArguments
{
    public string? OutboundCapturePort { get; init; }
    public string? InboundCapturePort { get; init; }
    public string? ProxyUid { get; init; }
    public string? ProxyGid { get; init; }
    public string? Mode { get; init; }
    public string? InboundPorts { get; init; }
    public string? InboundPortsExclude { get; init; }
    public string? OutboundCidrs { get; init; }
    public string? OutboundCidrsExclude { get; init; }
    public string? OutboundPortsInclude { get; init; }
    public string? OutboundPortsExclude { get; init; }
    public string? VirtualInterfaces { get; init; }
    public string? ExcludeInterfaces { get; init; }
    public string? TproxyMark { get; init; }
    public string? TproxyRouteTable { get; init; }
    public string? Backend { get; init; }

    /// <summary>istio-iptables' <c>--native-nftables</c> (Istio's injection adds it under values.global.nativeNftables): --backend nft.</summary>
    public bool NativeNftables { get; init; }
    public bool Ipv6 { get; init; }
    public bool DropInvalid { get; init; }
}
