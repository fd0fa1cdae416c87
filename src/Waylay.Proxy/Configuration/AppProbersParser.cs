using System.Text.Json;
using System.Text.RegularExpressions;

namespace Waylay.Proxy.Configuration;

/// <summary>
/// Reads the probers JSON the injector puts in the proxy's env: keys are health-port paths, values Kubernetes probe
/// actions with their port as a number (Istio's ISTIO_KUBE_APP_PROBERS format, read by the same rules as
/// pilot-agent's status server: a path outside <c>/app-health|app-lifecycle/&lt;container&gt;/livez|readyz|…</c>,
/// not exactly one action, or a port that is not a number is refused, and the proxy does not start).
/// <code>
/// {"/app-health/web/readyz":{"httpGet":{"path":"/ready","port":8080,"scheme":"HTTPS"},"timeoutSeconds":3},
///  "/app-health/db/livez":{"tcpSocket":{"port":5432}},
///  "/app-health/api/startupz":{"grpc":{"port":9090,"service":"api"}}}
/// </code>
/// Fields it does not know (the injector's <c>originalPort</c>) are ignored, as Go's JSON decoder ignores them.
/// </summary>
internal static partial class AppProbersParser
{
    /// <summary>Kubernetes' default probe timeout (timeoutSeconds absent).</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(1);

    /// <summary>Parses <paramref name="json"/> from the variable <paramref name="variable"/> into <paramref name="into"/>; returns every problem, each naming the variable, the path and the fix.</summary>
    public static IReadOnlyList<string> Parse(string variable, string json, Dictionary<string, AppProber> into)
    {
        var errors = new List<string>();
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            errors.Add($"{variable} is not valid JSON ({e.Message}); it is written by 'waylay inject' or Istio's injector: re-inject the pod, or remove the variable");
            return errors;
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                errors.Add($"{variable} must be a JSON object of health-port paths to probes, e.g. {{\"/app-health/web/readyz\":{{\"httpGet\":{{\"path\":\"/ready\",\"port\":8080}}}}}}");
                return errors;
            }

            foreach (var entry in document.RootElement.EnumerateObject())
            {
                var where = $"{variable}[\"{entry.Name}\"]";
                if (!ProberPath().IsMatch(entry.Name))
                {
                    errors.Add($"{where}: the path must be /app-health/<container>/livez|readyz|startupz (or /app-lifecycle/<container>/prestopz|poststartz)");
                    continue;
                }

                if (into.ContainsKey(entry.Name))
                {
                    errors.Add($"{where}: the path is given twice (in WAYLAY_KUBE_APP_PROBERS and ISTIO_KUBE_APP_PROBERS?); keep one of them");
                    continue;
                }

                if (Prober(entry.Name, entry.Value, where, errors) is { } prober)
                {
                    into[entry.Name] = prober;
                }
            }
        }

        return errors;
    }

    private static AppProber? Prober(string url, JsonElement value, string where, List<string> errors)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            errors.Add($"{where}: must be an object with one of httpGet, tcpSocket or grpc");
            return null;
        }

        var actions = new List<(AppProbeKind Kind, JsonElement Action)>();
        var timeout = DefaultTimeout;
        foreach (var field in value.EnumerateObject())
        {
            switch (field.Name)
            {
                case "httpGet" when field.Value.ValueKind != JsonValueKind.Null:
                    actions.Add((AppProbeKind.HttpGet, field.Value));
                    break;
                case "tcpSocket" when field.Value.ValueKind != JsonValueKind.Null:
                    actions.Add((AppProbeKind.TcpSocket, field.Value));
                    break;
                case "grpc" when field.Value.ValueKind != JsonValueKind.Null:
                    actions.Add((AppProbeKind.Grpc, field.Value));
                    break;
                case "timeoutSeconds":
                    if (field.Value.ValueKind != JsonValueKind.Number || !field.Value.TryGetInt32(out var seconds) || seconds < 0)
                    {
                        errors.Add($"{where}.timeoutSeconds: '{field.Value.GetRawText()}' is not a number of seconds");
                        return null;
                    }

                    timeout = seconds == 0 ? DefaultTimeout : TimeSpan.FromSeconds(seconds);
                    break;
            }
        }

        if (actions.Count != 1)
        {
            errors.Add($"{where}: the prober must have exactly one of httpGet, tcpSocket or grpc (it has {actions.Count})");
            return null;
        }

        var (kind, action) = actions[0];
        var name = kind switch { AppProbeKind.HttpGet => "httpGet", AppProbeKind.TcpSocket => "tcpSocket", _ => "grpc" };
        if (action.ValueKind != JsonValueKind.Object)
        {
            errors.Add($"{where}.{name}: must be an object");
            return null;
        }

        if (!action.TryGetProperty("port", out var portValue) || portValue.ValueKind != JsonValueKind.Number
            || !portValue.TryGetInt32(out var port) || port is < 1 or > ushort.MaxValue)
        {
            var shown = action.TryGetProperty("port", out var p) ? p.GetRawText() : "(none)";
            errors.Add($"{where}.{name}.port: {shown} is not a port number; the injector resolves named ports, so give the number (1-65535)");
            return null;
        }

        var path = "/";
        var https = false;
        string? host = null;
        var headers = new List<KeyValuePair<string, string>>();
        var service = "";
        if (kind == AppProbeKind.HttpGet)
        {
            path = String(action, "path") is { Length: > 0 } given ? (given.StartsWith('/') ? given : "/" + given) : "/";
            https = String(action, "scheme") == "HTTPS"; // Istio compares with "HTTPS" exactly; anything else is HTTP
            host = String(action, "host") is { Length: > 0 } h ? h : null;
            if (action.TryGetProperty("httpHeaders", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                foreach (var header in list.EnumerateArray())
                {
                    if (String(header, "name") is not { Length: > 0 } headerName)
                    {
                        errors.Add($"{where}.httpGet.httpHeaders: every header needs a name");
                        return null;
                    }

                    headers.Add(new(headerName, String(header, "value") ?? ""));
                }
            }
        }
        else if (kind == AppProbeKind.Grpc)
        {
            service = String(action, "service") ?? "";
        }

        return new AppProber(url, kind, (ushort)port, path, https, host, headers, service, timeout);
    }

    private static string? String(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>pilot-agent's appProberPattern.</summary>
    [GeneratedRegex("^/(app-health|app-lifecycle)/[^/]+/(livez|readyz|startupz|prestopz|poststartz)$")]
    private static partial Regex ProberPath();
}
