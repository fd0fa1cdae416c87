using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Waylay.Inject.Annotations;

/// <summary>
/// The <c>prometheus.io/scrape|port|path</c> annotations that Istio's injector puts on every pod (applyPrometheusMerge),
/// so a Prometheus with the usual kubernetes-pods job finds each sidecar: here they point at the proxy's own
/// Prometheus endpoint (design.md: 15090 <c>/stats/prometheus</c>).
/// <code>
/// pod annotations                          Istio                                  Waylay
/// none                                     scrape, port 15020, path /stats/prom…  scrape, port 15090, path /stats/prometheus
/// prometheus.io/scrape: "false"            nothing                                nothing
/// the app's own port/path/scrape           moved to the agent's env, replaced     left as they are (no merging agent)
/// prometheus.istio.io/merge-metrics false  nothing                                nothing
/// </code>
/// Keys are compared the way Prometheus sanitizes them (<c>prometheus.io/port</c>, <c>prometheus.io.port</c> and
/// <c>prometheus-io/port</c> are one key), as Istio does.
/// </summary>
internal static class PrometheusScrape
{
    public const string ScrapeKey = "prometheus.io/scrape";
    public const string PortKey = "prometheus.io/port";
    public const string PathKey = "prometheus.io/path";
    public const string MetricsPath = "/stats/prometheus";

    /// <summary>Istio's merged-metrics port (the agent's status port), which its annotations point at.</summary>
    public const string IstioMergedPort = "15020";

    /// <summary>Istio's proxy env holding the app's own scrape annotations while the agent merges them.</summary>
    public const string IstioAppAnnotationsEnv = "ISTIO_PROMETHEUS_ANNOTATIONS";

    private static readonly string[] Sanitized = ["prometheus_io_scrape", "prometheus_io_port", "prometheus_io_path"];

    /// <summary>Adds the three annotations for a proxy serving Prometheus on <paramref name="metricsPort"/>, unless the pod has any of them.</summary>
    public static void Add(JsonObject annotations, ushort metricsPort)
    {
        if (annotations.Any(a => Sanitized.Contains(Sanitize(a.Key))))
        {
            return;
        }

        annotations[ScrapeKey] = "true";
        annotations[PortKey] = metricsPort.ToString(CultureInfo.InvariantCulture);
        annotations[PathKey] = MetricsPath;
    }

    /// <summary>
    /// Removes the annotations an injection added: those whose port is one the removed sidecar declared (or, after
    /// Istio, its merged-metrics port); Istio's copy of the app's own annotations, when its proxy kept one, comes back.
    /// </summary>
    public static void Remove(JsonObject annotations, IReadOnlySet<string> sidecarPorts, bool istioInjected, string? istioAppAnnotations)
    {
        if (Value(annotations, PortKey) is not { } port || Value(annotations, PathKey) != MetricsPath
            || !(sidecarPorts.Contains(port) || (istioInjected && port == IstioMergedPort)))
        {
            return;
        }

        annotations.Remove(ScrapeKey);
        annotations.Remove(PortKey);
        annotations.Remove(PathKey);
        if (istioAppAnnotations is not null && Parse(istioAppAnnotations) is { } app)
        {
            foreach (var (field, key) in new[] { ("scrape", ScrapeKey), ("port", PortKey), ("path", PathKey) })
            {
                if (app[field] is JsonValue value && value.GetValueKind() == JsonValueKind.String && value.GetValue<string>().Length > 0)
                {
                    annotations[key] = value.GetValue<string>();
                }
            }
        }
    }

    /// <summary>Prometheus' SanitizeLabelName: every character outside [a-zA-Z0-9_] becomes '_'.</summary>
    private static string Sanitize(string key)
    {
        var builder = new StringBuilder(key.Length);
        foreach (var c in key)
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_');
        }

        return builder.ToString();
    }

    private static string? Value(JsonObject annotations, string key) =>
        annotations[key] is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    private static JsonObject? Parse(string json)
    {
        try
        {
            return JsonNode.Parse(json) as JsonObject;
        }
        catch (JsonException)
        {
            return null; // not ours to repair: what it held is not put back
        }
    }
}
