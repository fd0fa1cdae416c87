using Waylay.Capture.Options;
using Waylay.Inject.Capture;

namespace Waylay.Inject.Annotations;

/// <summary>What one pod asks for: the values, overridden by its annotations, validated and typed.</summary>
internal sealed record PodOptions
{
    public required InterceptionMode InterceptionMode { get; init; }
    public required CidrSelection IncludeOutboundIPRanges { get; init; }
    public required CidrSelection ExcludeOutboundIPRanges { get; init; }
    public required PortSelection IncludeInboundPorts { get; init; }
    public required PortSelection ExcludeInboundPorts { get; init; }

    /// <summary>Null when neither the pod nor the values set it: then <c>-q</c> is left out, as in Istio's template.</summary>
    public required PortSelection? IncludeOutboundPorts { get; init; }

    /// <summary>Null when neither the pod nor the values set it: then <c>-o</c> is left out.</summary>
    public required PortSelection? ExcludeOutboundPorts { get; init; }

    /// <summary>The port Istio's template adds to <c>-d</c> (status.sidecar.istio.io/port); 0 adds nothing.</summary>
    public required ushort StatusPort { get; init; }

    public required bool HoldApplicationUntilProxyStarts { get; init; }
    public required bool NativeSidecar { get; init; }
    public required bool RewriteAppProbers { get; init; }

    /// <summary>Whether the pod gets the prometheus.io scrape annotations (Annotations/PrometheusScrape.cs).</summary>
    public required bool PrometheusScrapeAnnotations { get; init; }
}
