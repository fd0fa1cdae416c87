using Waylay.Capture.Options;
using Waylay.Inject.Capture;

namespace Waylay.Inject.Values;

/// <summary>
/// Everything the injection template takes from configuration, typed and validated once (InjectionValuesReader).
/// The defaults are the documented ones: <c>waylay inject --print-values</c> prints them.
/// </summary>
internal sealed record InjectionValues
{
    public static readonly InjectionValues Default = new();

    public string Image { get; init; } = "docker.io/waylay/waylay:latest";
    public string ImagePullPolicy { get; init; } = "IfNotPresent";
    public IReadOnlyList<string> ImagePullSecrets { get; init; } = [];
    public long ProxyUid { get; init; } = 1337;
    public long ProxyGid { get; init; } = 1337;
    public InterceptionMode InterceptionMode { get; init; } = InterceptionMode.Redirect;
    public InboundPortsMode InboundPorts { get; init; } = InboundPortsMode.All;
    public CidrSelection IncludeOutboundIPRanges { get; init; } = CidrSelection.Any;
    public CidrSelection ExcludeOutboundIPRanges { get; init; } = CidrSelection.None;
    public PortSelection ExcludeInboundPorts { get; init; } = PortSelection.None;
    public PortSelection IncludeOutboundPorts { get; init; } = PortSelection.None;
    public PortSelection ExcludeOutboundPorts { get; init; } = PortSelection.None;
    public string DiscoveryAddress { get; init; } = "waylay-control.waylay-system:15010";
    public IReadOnlyDictionary<string, string> ResourceRequests { get; init; } = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["cpu"] = "100m", ["memory"] = "128Mi" };
    public IReadOnlyDictionary<string, string> ResourceLimits { get; init; } = new SortedDictionary<string, string>(StringComparer.Ordinal);
    public bool NativeSidecar { get; init; }
    public bool HoldApplicationUntilProxyStarts { get; init; }
    public bool RewriteAppProbers { get; init; } = true;

    /// <summary>Istio's meshConfig.enablePrometheusMerge: false puts no Prometheus scrape annotations on pods (Annotations/PrometheusScrape.cs).</summary>
    public bool EnablePrometheusMerge { get; init; } = true;
    public ProxyPorts Ports { get; init; } = new();
    public TimeSpan DrainDuration { get; init; } = TimeSpan.FromSeconds(45);
    public TimeSpan ParentShutdownDuration { get; init; } = TimeSpan.FromSeconds(60);
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
