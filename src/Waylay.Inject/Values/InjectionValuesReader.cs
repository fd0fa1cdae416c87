using Waylay.Capture.Options;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s.Models;
using Waylay.Inject.Capture;
using Waylay.Inject.Yaml;
using Waylay.Mesh;

namespace Waylay.Inject.Values;

/// <summary>
/// Reads an injection values file (YAML or JSON) over the defaults. Every problem is reported at once, each
/// naming the key and the fix; an unknown key is an error, so a typo never silently falls back to a default.
/// </summary>
internal static class InjectionValuesReader
{
    private static readonly string[] Keys =
    [
        "image", "imagePullPolicy", "imagePullSecrets", "proxyUID", "proxyGID", "interceptionMode", "inboundPorts",
        "includeOutboundIPRanges", "excludeOutboundIPRanges", "excludeInboundPorts", "includeOutboundPorts",
        "excludeOutboundPorts", "discoveryAddress", "resources", "nativeSidecar", "holdApplicationUntilProxyStarts",
        "rewriteAppProbers", "enablePrometheusMerge", "ports", "drainDuration", "parentShutdownDuration", "connectTimeout",
    ];

    private static readonly string[] PortKeys = ["outbound", "inbound", "admin", "health", "metrics", "status"];

    public static InjectionValues Read(string text, string source)
    {
        var documents = YamlReader.ReadDocuments(text, source);
        if (documents.Count == 0 || documents[0] is null)
        {
            return InjectionValues.Default;
        }

        if (documents.Count > 1 || documents[0] is not JsonObject root)
        {
            throw new ManifestException($"{source}: a values file is one mapping of keys (see 'waylay inject --print-values'), not {(documents.Count > 1 ? "several documents" : "a list or a scalar")}.");
        }

        var errors = new List<string>();
        var values = Read(root, errors);
        if (errors.Count > 0)
        {
            throw new ManifestException($"{source}: invalid injection values:\n  " + string.Join("\n  ", errors));
        }

        return values;
    }

    private static InjectionValues Read(JsonObject root, List<string> errors)
    {
        foreach (var (key, _) in root)
        {
            if (!Keys.Contains(key, StringComparer.Ordinal))
            {
                errors.Add($"{key}: unknown key; the keys are {string.Join(", ", Keys)}.");
            }
        }

        var d = InjectionValues.Default;
        var mode = String(root, "interceptionMode", errors) is { } modeText ? CaptureValues.Mode(modeText, "interceptionMode", errors) : null;
        var inbound = String(root, "inboundPorts", errors) switch
        {
            null => d.InboundPorts,
            "all" => InboundPortsMode.All,
            "declared" => InboundPortsMode.Declared,
            var other => Error(errors, $"inboundPorts: '{other}' is neither 'all' (-b '*') nor 'declared' (-b from containerPorts).", d.InboundPorts),
        };

        return new InjectionValues
        {
            Image = NonEmpty(root, "image", errors) ?? d.Image,
            ImagePullPolicy = String(root, "imagePullPolicy", errors) switch
            {
                null => d.ImagePullPolicy,
                var policy when policy is "Always" or "IfNotPresent" or "Never" => policy,
                var other => Error(errors, $"imagePullPolicy: '{other}' must be Always, IfNotPresent or Never.", d.ImagePullPolicy),
            },
            ImagePullSecrets = StringList(root, "imagePullSecrets", errors) ?? d.ImagePullSecrets,
            ProxyUid = Id(root, "proxyUID", errors) ?? d.ProxyUid,
            ProxyGid = Id(root, "proxyGID", errors) ?? Id(root, "proxyUID", []) ?? d.ProxyGid,
            InterceptionMode = mode ?? d.InterceptionMode,
            InboundPorts = inbound,
            IncludeOutboundIPRanges = String(root, "includeOutboundIPRanges", errors) is { } i ? CaptureValues.Cidrs(i, true, "includeOutboundIPRanges", errors) : d.IncludeOutboundIPRanges,
            ExcludeOutboundIPRanges = String(root, "excludeOutboundIPRanges", errors) is { } x ? CaptureValues.Cidrs(x, false, "excludeOutboundIPRanges", errors) : d.ExcludeOutboundIPRanges,
            ExcludeInboundPorts = String(root, "excludeInboundPorts", errors) is { } ei ? CaptureValues.Ports(ei, false, "excludeInboundPorts", errors) : d.ExcludeInboundPorts,
            IncludeOutboundPorts = String(root, "includeOutboundPorts", errors) is { } io ? CaptureValues.Ports(io, false, "includeOutboundPorts", errors) : d.IncludeOutboundPorts,
            ExcludeOutboundPorts = String(root, "excludeOutboundPorts", errors) is { } eo ? CaptureValues.Ports(eo, false, "excludeOutboundPorts", errors) : d.ExcludeOutboundPorts,
            DiscoveryAddress = NonEmpty(root, "discoveryAddress", errors) ?? d.DiscoveryAddress,
            ResourceRequests = Resources(root, "requests", errors) ?? d.ResourceRequests,
            ResourceLimits = Resources(root, "limits", errors) ?? d.ResourceLimits,
            NativeSidecar = Bool(root, "nativeSidecar", errors) ?? d.NativeSidecar,
            HoldApplicationUntilProxyStarts = Bool(root, "holdApplicationUntilProxyStarts", errors) ?? d.HoldApplicationUntilProxyStarts,
            RewriteAppProbers = Bool(root, "rewriteAppProbers", errors) ?? d.RewriteAppProbers,
            EnablePrometheusMerge = Bool(root, "enablePrometheusMerge", errors) ?? d.EnablePrometheusMerge,
            Ports = Ports(root, errors),
            DrainDuration = Duration(root, "drainDuration", errors) ?? d.DrainDuration,
            ParentShutdownDuration = Duration(root, "parentShutdownDuration", errors) ?? d.ParentShutdownDuration,
            ConnectTimeout = Duration(root, "connectTimeout", errors) ?? d.ConnectTimeout,
        };
    }

    private static T Error<T>(List<string> errors, string message, T fallback)
    {
        errors.Add(message);
        return fallback;
    }

    private static string? String(JsonObject map, string key, List<string> errors, string? path = null)
    {
        if (!map.TryGetPropertyValue(key, out var node) || node is null)
        {
            return null;
        }

        if (node is JsonValue value && value.GetValueKind() is JsonValueKind.String or JsonValueKind.Number)
        {
            return value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString();
        }

        errors.Add($"{path ?? key}: expected a string, got {node.GetValueKind().ToString().ToLowerInvariant()}; quote the value.");
        return null;
    }

    private static string? NonEmpty(JsonObject map, string key, List<string> errors)
    {
        var text = String(map, key, errors);
        if (text is not null && text.Trim().Length == 0)
        {
            errors.Add($"{key}: must not be empty; remove the key to use the default.");
            return null;
        }

        return text;
    }

    private static bool? Bool(JsonObject map, string key, List<string> errors)
    {
        if (!map.TryGetPropertyValue(key, out var node) || node is null)
        {
            return null;
        }

        if (node.GetValueKind() is JsonValueKind.True or JsonValueKind.False)
        {
            return node.GetValue<bool>();
        }

        errors.Add($"{key}: expected true or false.");
        return null;
    }

    private static long? Id(JsonObject map, string key, List<string> errors)
    {
        if (!map.TryGetPropertyValue(key, out var node) || node is null)
        {
            return null;
        }

        if (node is JsonValue value && value.TryGetValue<long>(out var id) && id is >= 0 and <= int.MaxValue)
        {
            return id;
        }

        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && long.TryParse(v.ToJsonString(), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed <= int.MaxValue)
        {
            return parsed;
        }

        errors.Add($"{key}: expected a numeric id between 0 and {int.MaxValue}.");
        return null;
    }

    private static TimeSpan? Duration(JsonObject map, string key, List<string> errors)
    {
        var text = String(map, key, errors);
        if (text is null)
        {
            return null;
        }

        if (!GoDuration.TryParse(text, out TimeSpan value, out var error))
        {
            errors.Add($"{key}: {error}.");
            return null;
        }

        if (value > TimeSpan.Zero)
        {
            return value;
        }

        errors.Add($"{key}: '{text}' is not longer than zero; write it like 45s, 1m30s or 500ms.");
        return null;
    }

    private static IReadOnlyList<string>? StringList(JsonObject map, string key, List<string> errors)
    {
        if (!map.TryGetPropertyValue(key, out var node) || node is null)
        {
            return null;
        }

        if (node is JsonArray list && list.All(item => item?.GetValueKind() == JsonValueKind.String))
        {
            return [.. list.Select(item => item!.GetValue<string>())];
        }

        errors.Add($"{key}: expected a list of secret names.");
        return null;
    }

    private static SortedDictionary<string, string>? Resources(JsonObject root, string kind, List<string> errors)
    {
        if (!root.TryGetPropertyValue("resources", out var node) || node is null)
        {
            return null;
        }

        if (node is not JsonObject resources)
        {
            errors.Add("resources: expected a mapping with requests and/or limits.");
            return null;
        }

        foreach (var (key, _) in resources)
        {
            if (key is not ("requests" or "limits") && kind == "requests")
            {
                errors.Add($"resources.{key}: unknown key; use requests and limits.");
            }
        }

        if (!resources.TryGetPropertyValue(kind, out var section) || section is null)
        {
            return null;
        }

        if (section is not JsonObject quantities)
        {
            errors.Add($"resources.{kind}: expected a mapping like {{cpu: 100m, memory: 128Mi}}.");
            return null;
        }

        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, _) in quantities)
        {
            var text = String(quantities, name, errors, $"resources.{kind}.{name}");
            if (text is null)
            {
                continue;
            }

            try
            {
                _ = new ResourceQuantity(text).ToDecimal();
                result[name] = text;
            }
            catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
            {
                errors.Add($"resources.{kind}.{name}: '{text}' is not a Kubernetes quantity; write it like 100m, 0.5 or 128Mi.");
            }
        }

        return result;
    }

    private static ProxyPorts Ports(JsonObject root, List<string> errors)
    {
        var d = new ProxyPorts();
        if (!root.TryGetPropertyValue("ports", out var node) || node is null)
        {
            return d;
        }

        if (node is not JsonObject ports)
        {
            errors.Add("ports: expected a mapping, e.g. {outbound: 15001, inbound: 15006}.");
            return d;
        }

        foreach (var (key, _) in ports)
        {
            if (!PortKeys.Contains(key, StringComparer.Ordinal))
            {
                errors.Add($"ports.{key}: unknown port; the ports are {string.Join(", ", PortKeys)}.");
            }
        }

        ushort Port(string key, ushort fallback)
        {
            if (!ports.TryGetPropertyValue(key, out var p) || p is null)
            {
                return fallback;
            }

            if (p is JsonValue v && v.TryGetValue<int>(out var n) && n is > 0 and <= ushort.MaxValue)
            {
                return (ushort)n;
            }

            errors.Add($"ports.{key}: expected a port number between 1 and 65535.");
            return fallback;
        }

        var result = new ProxyPorts
        {
            Outbound = Port("outbound", d.Outbound),
            Inbound = Port("inbound", d.Inbound),
            Admin = Port("admin", d.Admin),
            Health = Port("health", d.Health),
            Metrics = Port("metrics", d.Metrics),
            Status = Port("status", d.Status),
        };
        ushort[] all = [result.Outbound, result.Inbound, result.Admin, result.Health, result.Metrics, result.Status];
        if (all.Distinct().Count() != all.Length)
        {
            errors.Add("ports: every proxy port must be different.");
        }

        return result;
    }
}
