using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Waylay.Inject.Probes;

/// <summary>
/// Points the kubelet's HTTP, TCP and gRPC probes of app containers at the proxy's health port, because once inbound
/// traffic is captured (and, with mTLS, encrypted) the kubelet's plain request to the app's port would be
/// taken by the proxy. The proxy answers <c>/app-health/&lt;container&gt;/livez|readyz|startupz</c> by running the
/// original probe against the app locally; the originals travel in its env as JSON (Istio's
/// ISTIO_KUBE_APP_PROBERS format, ports resolved to numbers).
/// <code>
/// kubelet ─GET :15021/app-health/web/livez─► proxy ─GET pod-IP:8080/healthz (from 127.0.0.6)─► app
/// </code>
/// As Istio's injector does, a gRPC probe becomes an httpGet on the same path and travels as a <c>grpc</c> entry
/// (the proxy calls grpc.health.v1.Health/Check); exec probes are left alone.
/// </summary>
internal static class ProbeRewriter
{
    /// <summary>Rewrites the probes of <paramref name="containers"/> in place; returns the originals as JSON, or null when none was rewritten.</summary>
    public static string? Rewrite(JsonArray containers, ushort healthPort, List<string> warnings)
    {
        var probers = new JsonObject();
        foreach (var container in containers.OfType<JsonObject>())
        {
            var name = container["name"]?.GetValue<string>() ?? "";
            foreach (var (field, path) in ProbeKinds.All)
            {
                if (container[field] is not JsonObject probe)
                {
                    continue;
                }

                var url = ProbeKinds.Url(name, path);
                if (Rewrite(container, probe, url, healthPort, warnings, $"container '{name}' {field}") is { } original)
                {
                    probers[url] = original;
                }
            }
        }

        return probers.Count == 0 ? null : probers.ToJsonString();
    }

    private static JsonObject? Rewrite(JsonObject container, JsonObject probe, string url, ushort healthPort, List<string> warnings, string where)
    {
        var kind = probe["httpGet"] is JsonObject ? "httpGet" : probe["tcpSocket"] is JsonObject ? "tcpSocket" : probe["grpc"] is JsonObject ? "grpc" : null;
        if (kind is null || probe[kind] is not JsonObject action)
        {
            return null;
        }

        if (action["host"] is JsonValue host && host.GetValueKind() == JsonValueKind.String && host.GetValue<string>().Length > 0)
        {
            warnings.Add($"{where}: probes host '{host}', not the pod; left as it is.");
            return null;
        }

        // A gRPC probe's port is a number in the API (no named ports); httpGet and tcpSocket may name a port.
        if ((kind == "grpc" ? ResolveNumber(action["port"]) : ResolvePort(container, action["port"])) is not { } port)
        {
            warnings.Add($"{where}: port '{action["port"]?.ToJsonString()}' is not a number or a named port of the container; left as it is.");
            return null;
        }

        var originalAction = (JsonObject)action.DeepClone();
        var originalPort = originalAction["port"]?.DeepClone();
        originalAction["port"] = port;
        var original = new JsonObject { [kind] = originalAction };
        if (probe["timeoutSeconds"] is { } timeout)
        {
            original["timeoutSeconds"] = timeout.DeepClone();
        }

        if (originalPort is not JsonValue number || number.GetValueKind() != JsonValueKind.Number)
        {
            // Not part of Istio's format: lets a re-injection restore a named port exactly.
            original["originalPort"] = originalPort;
        }

        var rewritten = new JsonObject { ["path"] = url, ["port"] = (int)healthPort };
        if (kind == "httpGet")
        {
            // Kubelet → HTTP → proxy → (HTTP or HTTPS as the original said) → app: keep headers, drop HTTPS.
            foreach (var (key, value) in action)
            {
                if (key is "httpHeaders")
                {
                    rewritten[key] = value?.DeepClone();
                }
            }

            probe["httpGet"] = rewritten;
        }
        else
        {
            Replace(probe, kind, "httpGet", rewritten);
        }

        return original;
    }

    /// <summary>Puts back the probes a previous injection rewrote, from that proxy's env.</summary>
    public static void Restore(JsonArray containers, string probersJson)
    {
        JsonObject? probers;
        try
        {
            probers = JsonNode.Parse(probersJson) as JsonObject;
        }
        catch (JsonException)
        {
            probers = null; // not ours to repair: the probes stay as they are
        }

        if (probers is null)
        {
            return;
        }

        foreach (var container in containers.OfType<JsonObject>())
        {
            var name = container["name"]?.GetValue<string>() ?? "";
            foreach (var (field, path) in ProbeKinds.All)
            {
                var url = ProbeKinds.Url(name, path);
                if (container[field] is not JsonObject probe || probe["httpGet"] is not JsonObject current
                    || current["path"]?.GetValue<string>() != url || probers[url] is not JsonObject original)
                {
                    continue;
                }

                var kind = original["httpGet"] is JsonObject ? "httpGet" : original["tcpSocket"] is JsonObject ? "tcpSocket" : original["grpc"] is JsonObject ? "grpc" : null;
                if (kind is null)
                {
                    continue;
                }

                var action = (JsonObject)original[kind]!.DeepClone();
                if (original["originalPort"] is { } port)
                {
                    action["port"] = port.DeepClone();
                }

                if (kind == "httpGet")
                {
                    probe["httpGet"] = action;
                }
                else
                {
                    Replace(probe, "httpGet", kind, action);
                }
            }
        }
    }

    private static int? ResolveNumber(JsonNode? port) =>
        port is JsonValue value && value.GetValueKind() == JsonValueKind.Number && value.TryGetValue<int>(out var number) && number is > 0 and <= ushort.MaxValue ? number : null;

    private static int? ResolvePort(JsonObject container, JsonNode? port)
    {
        if (port is not JsonValue value)
        {
            return null;
        }

        if (value.GetValueKind() == JsonValueKind.Number)
        {
            return value.TryGetValue<int>(out var number) && number is > 0 and <= ushort.MaxValue ? number : null;
        }

        if (value.GetValueKind() != JsonValueKind.String)
        {
            return null;
        }

        var text = value.GetValue<string>();
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var numeric))
        {
            return numeric is > 0 and <= ushort.MaxValue ? numeric : null;
        }

        foreach (var declared in (container["ports"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            if (declared["name"]?.GetValue<string>() == text && declared["containerPort"] is JsonValue p && p.TryGetValue<int>(out var resolved))
            {
                return resolved;
            }
        }

        return null;
    }

    /// <summary>Swaps a key for another at the same position, so the probe reads in its original order.</summary>
    private static void Replace(JsonObject map, string oldKey, string newKey, JsonNode value)
    {
        var index = map.IndexOf(oldKey);
        map.Remove(oldKey);
        map.Insert(index, newKey, value);
    }
}
