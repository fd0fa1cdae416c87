namespace Waylay.Capture.Options;

/// <summary>
/// Everything `waylay capture` was asked to do, parsed once at the edge into typed values (istio-iptables keeps these
/// as strings and re-splits them per rule; we never do).
/// </summary>
public sealed record CaptureOptions
{
    /// <summary>-p: where outbound connections are redirected.</summary>
    public ushort OutboundCapturePort { get; init; } = 15001;

    /// <summary>-z: where inbound connections are redirected.</summary>
    public ushort InboundCapturePort { get; init; } = 15006;

    /// <summary>-u: owners whose traffic is the proxy's own and never captured.</summary>
    public IReadOnlyList<uint> ProxyUids { get; init; } = [1337];

    /// <summary>-g: defaults to the uids.</summary>
    public IReadOnlyList<uint> ProxyGids { get; init; } = [1337];

    /// <summary>-m.</summary>
    public InterceptionMode Mode { get; init; } = InterceptionMode.Redirect;

    /// <summary>-b: inbound destination ports captured.</summary>
    public PortSelection InboundPorts { get; init; } = PortSelection.None;

    /// <summary>-d: inbound ports left alone (only meaningful with -b '*').</summary>
    public IReadOnlyList<ushort> InboundPortsExclude { get; init; } = [];

    /// <summary>-i: outbound destinations captured.</summary>
    public CidrSelection OutboundCidrs { get; init; } = CidrSelection.None;

    /// <summary>-x: outbound destinations left alone; checked before -i.</summary>
    public IReadOnlyList<System.Net.IPNetwork> OutboundCidrsExclude { get; init; } = [];

    /// <summary>-q: outbound ports captured whatever their destination.</summary>
    public IReadOnlyList<ushort> OutboundPortsInclude { get; init; } = [];

    /// <summary>-o: outbound ports never captured.</summary>
    public IReadOnlyList<ushort> OutboundPortsExclude { get; init; } = [];

    /// <summary>-k: interfaces (e.g. a KubeVirt VM's) whose arriving traffic is treated as outbound.</summary>
    public IReadOnlyList<string> VirtualInterfaces { get; init; } = [];

    /// <summary>-c: interfaces whose traffic is never captured either way.</summary>
    public IReadOnlyList<string> ExcludeInterfaces { get; init; } = [];

    /// <summary>-t: the fwmark TPROXY marks inbound packets with.</summary>
    public uint TproxyMark { get; init; } = 1337;

    /// <summary>-r: the routing table that delivers marked packets locally.</summary>
    public uint TproxyRouteTable { get; init; } = 133;

    /// <summary>--ipv6: write ip6tables rules too (istio-iptables' ENABLE_INBOUND_IPV6).</summary>
    public bool Ipv6 { get; init; }

    /// <summary>--drop-invalid: drop conntrack-INVALID TCP in mangle (istio#36566's spurious resets).</summary>
    public bool DropInvalid { get; init; }

    public BackendKind Backend { get; init; } = BackendKind.Auto;

    public IEnumerable<IpFamily> Families => Ipv6 ? [IpFamily.V4, IpFamily.V6] : [IpFamily.V4];
}
