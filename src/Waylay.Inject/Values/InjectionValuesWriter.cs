using Waylay.Capture.Options;
using System.Text.Json.Nodes;
using Waylay.Inject.Capture;
using Waylay.Mesh;

namespace Waylay.Inject.Values;

/// <summary>Values as the file format writes them: for <c>--print-values</c> and for the template version hash.</summary>
internal static class InjectionValuesWriter
{
    public static JsonObject ToJson(InjectionValues values) => new()
    {
        ["image"] = values.Image,
        ["imagePullPolicy"] = values.ImagePullPolicy,
        ["imagePullSecrets"] = new JsonArray([.. values.ImagePullSecrets.Select(s => (JsonNode)s)]),
        ["proxyUID"] = values.ProxyUid,
        ["proxyGID"] = values.ProxyGid,
        ["interceptionMode"] = values.InterceptionMode.ToFlag(),
        ["inboundPorts"] = values.InboundPorts == InboundPortsMode.Declared ? "declared" : "all",
        ["includeOutboundIPRanges"] = values.IncludeOutboundIPRanges.ToString(),
        ["excludeOutboundIPRanges"] = values.ExcludeOutboundIPRanges.ToString(),
        ["excludeInboundPorts"] = values.ExcludeInboundPorts.ToString(),
        ["includeOutboundPorts"] = values.IncludeOutboundPorts.ToString(),
        ["excludeOutboundPorts"] = values.ExcludeOutboundPorts.ToString(),
        ["discoveryAddress"] = values.DiscoveryAddress,
        ["resources"] = new JsonObject
        {
            ["requests"] = Quantities(values.ResourceRequests),
            ["limits"] = Quantities(values.ResourceLimits),
        },
        ["nativeSidecar"] = values.NativeSidecar,
        ["holdApplicationUntilProxyStarts"] = values.HoldApplicationUntilProxyStarts,
        ["rewriteAppProbers"] = values.RewriteAppProbers,
        ["enablePrometheusMerge"] = values.EnablePrometheusMerge,
        ["ports"] = new JsonObject
        {
            ["outbound"] = values.Ports.Outbound,
            ["inbound"] = values.Ports.Inbound,
            ["admin"] = values.Ports.Admin,
            ["health"] = values.Ports.Health,
            ["metrics"] = values.Ports.Metrics,
            ["status"] = values.Ports.Status,
        },
        ["drainDuration"] = GoDuration.Format(values.DrainDuration),
        ["parentShutdownDuration"] = GoDuration.Format(values.ParentShutdownDuration),
        ["connectTimeout"] = GoDuration.Format(values.ConnectTimeout),
    };

    private static JsonObject Quantities(IReadOnlyDictionary<string, string> quantities)
    {
        var result = new JsonObject();
        foreach (var (name, quantity) in quantities.OrderBy(q => q.Key, StringComparer.Ordinal))
        {
            result[name] = quantity;
        }

        return result;
    }
}
