using Waylay.Capture.Options;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s.Models;
using Waylay.Inject.Capture;
using Waylay.Inject.Values;
using Waylay.Inject.Yaml;

namespace Waylay.Inject.Annotations;

/// <summary>
/// Reads a pod's annotations over the injection values, the way Istio's injection template reads them
/// (<c>annotation .ObjectMeta `traffic.sidecar.istio.io/…` default</c>): an annotation that is present, even
/// empty, replaces the value. Every invalid annotation is reported at once.
/// </summary>
internal static class PodOptionsReader
{
    public static PodOptions Read(V1PodTemplateSpec pod, InjectionValues values, List<string> errors, List<string> warnings)
    {
        var annotations = pod.Metadata?.Annotations;

        var mode = Find(AnnotationNames.InterceptionMode, annotations) is { } m
            ? CaptureValues.Mode(m.Value, m.Name, errors) ?? values.InterceptionMode
            : values.InterceptionMode;

        var includeInbound = Find(AnnotationNames.IncludeInboundPorts, annotations) is { } ib
            ? CaptureValues.Ports(ib.Value, true, ib.Name, errors)
            : values.InboundPorts == InboundPortsMode.Declared ? DeclaredPorts(pod) : PortSelection.Any;

        var statusPort = values.Ports.Status;
        if (Find(AnnotationNames.StatusPort, annotations) is { } sp)
        {
            if (ushort.TryParse(sp.Value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                statusPort = parsed;
            }
            else
            {
                errors.Add($"{sp.Name}: '{sp.Value}' is not a port; write a number between 0 and 65535 (0: none).");
            }
        }

        var rewrite = values.RewriteAppProbers;
        if (Find(AnnotationNames.RewriteAppHttpProbers, annotations) is { } rw)
        {
            rewrite = Bool(rw, errors) ?? rewrite;
        }

        var native = values.NativeSidecar;
        if (Find(AnnotationNames.NativeSidecar, annotations) is { } ns)
        {
            native = Bool(ns, errors) ?? native;
        }

        var scrape = values.EnablePrometheusMerge;
        if (Find(AnnotationNames.PrometheusMergeMetrics, annotations) is { } pm)
        {
            scrape = Bool(pm, errors) ?? scrape;
        }

        return new PodOptions
        {
            InterceptionMode = mode,
            IncludeOutboundIPRanges = Find(AnnotationNames.IncludeOutboundIPRanges, annotations) is { } i
                ? CaptureValues.Cidrs(i.Value, true, i.Name, errors) : values.IncludeOutboundIPRanges,
            ExcludeOutboundIPRanges = Find(AnnotationNames.ExcludeOutboundIPRanges, annotations) is { } x
                ? CaptureValues.Cidrs(x.Value, false, x.Name, errors) : values.ExcludeOutboundIPRanges,
            IncludeInboundPorts = includeInbound,
            ExcludeInboundPorts = Find(AnnotationNames.ExcludeInboundPorts, annotations) is { } d
                ? CaptureValues.Ports(d.Value, false, d.Name, errors) : values.ExcludeInboundPorts,
            IncludeOutboundPorts = Find(AnnotationNames.IncludeOutboundPorts, annotations) is { } q
                ? CaptureValues.Ports(q.Value, false, q.Name, errors)
                : values.IncludeOutboundPorts.IsEmpty ? null : values.IncludeOutboundPorts,
            ExcludeOutboundPorts = Find(AnnotationNames.ExcludeOutboundPorts, annotations) is { } o
                ? CaptureValues.Ports(o.Value, false, o.Name, errors)
                : values.ExcludeOutboundPorts.IsEmpty ? null : values.ExcludeOutboundPorts,
            StatusPort = statusPort,
            HoldApplicationUntilProxyStarts = HoldFromProxyConfig(annotations, errors, warnings) ?? values.HoldApplicationUntilProxyStarts,
            NativeSidecar = native,
            RewriteAppProbers = rewrite,
            PrometheusScrapeAnnotations = scrape,
        };

        (string Name, string Value)? Find(AliasedName name, IDictionary<string, string>? map)
        {
            if (map is not null && map.TryGetValue(name.Waylay, out var w) && map.TryGetValue(name.Istio, out var s) && w != s)
            {
                warnings.Add($"{name.Waylay} ('{w}') and {name.Istio} ('{s}') disagree; using {name.Waylay}.");
            }

            return name.Find(map);
        }
    }

    /// <summary>The app containers' declared ports, in order: Istio 0.8's <c>includeInboundPorts</c> (the seed's <c>-b 9080</c>).</summary>
    private static PortSelection DeclaredPorts(V1PodTemplateSpec pod)
    {
        var ports = new List<ushort>();
        foreach (var container in pod.Spec?.Containers ?? [])
        {
            foreach (var port in container.Ports ?? [])
            {
                if (port.ContainerPort is > 0 and <= ushort.MaxValue && !ports.Contains((ushort)port.ContainerPort))
                {
                    ports.Add((ushort)port.ContainerPort);
                }
            }
        }

        return new PortSelection(false, ports);
    }

    private static bool? Bool((string Name, string Value) annotation, List<string> errors)
    {
        switch (annotation.Value.Trim().ToLowerInvariant())
        {
            case "true" or "y" or "yes" or "on":
                return true;
            case "false" or "n" or "no" or "off":
                return false;
            default:
                errors.Add($"{annotation.Name}: '{annotation.Value}' is not a boolean; write \"true\" or \"false\".");
                return null;
        }
    }

    /// <summary>Istio's <c>proxy.istio.io/config</c> is a ProxyConfig in YAML or JSON; injection reads holdApplicationUntilProxyStarts from it.</summary>
    private static bool? HoldFromProxyConfig(IDictionary<string, string>? annotations, List<string> errors, List<string> warnings)
    {
        if (AnnotationNames.ProxyConfig.Find(annotations) is not { } config)
        {
            return null;
        }

        JsonNode? root;
        try
        {
            var documents = YamlReader.ReadDocuments(config.Value, config.Name);
            root = documents.Count == 0 ? null : documents[0];
        }
        catch (ManifestException e)
        {
            errors.Add($"{config.Name}: not valid YAML or JSON ({e.Message}); write it like '{{\"holdApplicationUntilProxyStarts\": true}}'.");
            return null;
        }

        if (root is null)
        {
            return null;
        }

        if (root is not JsonObject map)
        {
            errors.Add($"{config.Name}: expected a mapping (a ProxyConfig), e.g. '{{\"holdApplicationUntilProxyStarts\": true}}'.");
            return null;
        }

        bool? hold = null;
        foreach (var (key, value) in map)
        {
            if (key == "holdApplicationUntilProxyStarts")
            {
                if (value?.GetValueKind() is JsonValueKind.True or JsonValueKind.False)
                {
                    hold = value.GetValue<bool>();
                }
                else
                {
                    errors.Add($"{config.Name}: holdApplicationUntilProxyStarts must be true or false.");
                }
            }
            else
            {
                warnings.Add($"{config.Name}: '{key}' is not used by Waylay's injector; ignored.");
            }
        }

        return hold;
    }
}
