using Waylay.Capture.Options;
namespace Waylay.Inject.Annotations;

/// <summary>
/// The pod annotations and labels injection reads (design.md, Contracts), each with the Istio name accepted as an
/// alias so that manifests written for Istio work unchanged. Where both are set, the Waylay name wins.
/// </summary>
internal static class AnnotationNames
{
    public static readonly AliasedName Inject = new("sidecar.waylay.io/inject", "sidecar.istio.io/inject");
    public static readonly AliasedName Status = new("sidecar.waylay.io/status", "sidecar.istio.io/status");
    public static readonly AliasedName InterceptionMode = new("sidecar.waylay.io/interceptionMode", "sidecar.istio.io/interceptionMode");
    public static readonly AliasedName NativeSidecar = new("sidecar.waylay.io/nativeSidecar", "sidecar.istio.io/nativeSidecar");
    public static readonly AliasedName RewriteAppHttpProbers = new("sidecar.waylay.io/rewriteAppHTTPProbers", "sidecar.istio.io/rewriteAppHTTPProbers");
    public static readonly AliasedName ProxyConfig = new("proxy.waylay.io/config", "proxy.istio.io/config");

    /// <summary>Written by injection: the pod's own customizations of the sidecar containers, for re-injection (Template/SidecarOverrides.cs).</summary>
    public static readonly AliasedName Overrides = new("proxy.waylay.io/overrides", "proxy.istio.io/overrides");

    /// <summary>"false": no Prometheus scrape annotations (Istio: no metrics merging, and so no annotations).</summary>
    public static readonly AliasedName PrometheusMergeMetrics = new("prometheus.waylay.io/merge-metrics", "prometheus.istio.io/merge-metrics");
    public static readonly AliasedName StatusPort = new("status.sidecar.waylay.io/port", "status.sidecar.istio.io/port");
    public static readonly AliasedName IncludeInboundPorts = new("traffic.sidecar.waylay.io/includeInboundPorts", "traffic.sidecar.istio.io/includeInboundPorts");
    public static readonly AliasedName ExcludeInboundPorts = new("traffic.sidecar.waylay.io/excludeInboundPorts", "traffic.sidecar.istio.io/excludeInboundPorts");
    public static readonly AliasedName IncludeOutboundIPRanges = new("traffic.sidecar.waylay.io/includeOutboundIPRanges", "traffic.sidecar.istio.io/includeOutboundIPRanges");
    public static readonly AliasedName ExcludeOutboundIPRanges = new("traffic.sidecar.waylay.io/excludeOutboundIPRanges", "traffic.sidecar.istio.io/excludeOutboundIPRanges");
    public static readonly AliasedName IncludeOutboundPorts = new("traffic.sidecar.waylay.io/includeOutboundPorts", "traffic.sidecar.istio.io/includeOutboundPorts");
    public static readonly AliasedName ExcludeOutboundPorts = new("traffic.sidecar.waylay.io/excludeOutboundPorts", "traffic.sidecar.istio.io/excludeOutboundPorts");

    /// <summary>kubectl logs/exec pick this container when none is named (Istio sets it too).</summary>
    public const string DefaultContainer = "kubectl.kubernetes.io/default-container";

    /// <summary>Namespace labels that turn the webhook on (the MutatingWebhookConfiguration selects on them).</summary>
    public static readonly AliasedName NamespaceInjection = new("waylay-injection", "istio-injection");
}

/// <summary>An annotation or label name with its Istio alias.</summary>
internal sealed record AliasedName(string Waylay, string Istio)
{
    /// <summary>The value under the Waylay name, else under the Istio alias; with the name it was found under.</summary>
    public (string Name, string Value)? Find(IDictionary<string, string>? map)
    {
        if (map is null)
        {
            return null;
        }

        if (map.TryGetValue(Waylay, out var value))
        {
            return (Waylay, value);
        }

        return map.TryGetValue(Istio, out value) ? (Istio, value) : null;
    }
}
