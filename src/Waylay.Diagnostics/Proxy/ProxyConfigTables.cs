using System.Globalization;
using System.Text.Json.Nodes;

namespace Waylay.Diagnostics.Proxy;

/// <summary>
/// A sidecar's <c>/config_dump</c> as <c>istioctl proxy-config</c> prints Envoy's: the <c>configs</c> section the
/// proxy writes (<c>src/Waylay.Proxy/Admin/ConfigDump.cs</c>) cut into rows with istioctl's columns, plus a routes
/// view that shows what istioctl needs a second <c>-o json</c> for (destinations, weights, timeouts, retries, faults).
/// </summary>
internal static class ProxyConfigTables
{
    /// <summary>The structured form for <c>-o json|yaml</c>: one view's array, or for <c>all</c> the whole dump.</summary>
    public static JsonNode Select(JsonObject dump, ProxyConfigKind kind) => kind == ProxyConfigKind.All
        ? dump.DeepClone()
        : Configs(dump)[Key(kind)]?.DeepClone() ?? new JsonArray();

    public static IReadOnlyList<ConfigTable> Tables(JsonObject dump, ProxyConfigKind kind) => kind switch
    {
        ProxyConfigKind.Listeners => [Listeners(dump)],
        ProxyConfigKind.Routes => [Routes(dump)],
        ProxyConfigKind.Clusters => [Clusters(dump)],
        ProxyConfigKind.Endpoints => [Endpoints(dump)],
        _ => [Listeners(dump), Routes(dump), Clusters(dump), Endpoints(dump)],
    };

    /// <summary>The line above the tables: which version the proxy runs, from where, and what it last refused.</summary>
    public static string Summary(JsonObject dump)
    {
        var line = $"config version {Text(dump["version"])} from {Text(dump["source"])}";
        if (dump["discovery"] is JsonObject discovery)
        {
            line += $" ({((bool?)discovery["connected"] == true ? "connected" : "not connected")}, {Text(discovery["acks"])} ACK(s), {Text(discovery["nacks"])} NACK(s)";
            line += discovery["lastNack"] is { } nack ? $"; last NACK: {nack})" : ")";
        }

        return dump["notReady"] is { } notReady ? $"{line}; NOT READY: {notReady}" : line;
    }

    private static ConfigTable Listeners(JsonObject dump) => new("Listeners", ["ADDRESSES", "PORT", "MATCH", "DESTINATION"],
        [.. Items(dump, "listeners").Select(l => (IReadOnlyList<string>)(Text(l["kind"]) == "capture"
            ? [Address(Text(l["name"])), Port(Text(l["name"])), $"{Text(l["match"])} ({Text(l["name"]).Split(' ')[0]})", Text(l["destination"])]
            : [string.Join(",", Strings(l["addresses"])), Text(l["port"]), Text(l["match"]), Text(l["destination"])]))]);

    private static ConfigTable Routes(JsonObject dump)
    {
        var rows = new List<IReadOnlyList<string>>();
        foreach (var config in Items(dump, "routes"))
        {
            foreach (var route in (config["http"] as JsonArray ?? []).OfType<JsonObject>())
            {
                rows.Add([Text(config["name"]), Match(route), Destinations(route), Policies(route), Text(config["virtualService"], "(none: the whole service)")]);
            }

            foreach (var route in (config["tcp"] as JsonArray ?? []).OfType<JsonObject>())
            {
                var ports = Strings(route["ports"]).ToList();
                rows.Add([Text(config["name"]), ports.Count == 0 ? "tcp: any port" : $"tcp: port {string.Join(",", ports)}", Destinations(route), "", Text(config["virtualService"])]);
            }
        }

        return new ConfigTable("Routes", ["NAME", "MATCH", "DESTINATIONS", "POLICIES", "VIRTUAL SERVICE"], rows);
    }

    private static ConfigTable Clusters(JsonObject dump) => new("Clusters", ["SERVICE FQDN", "PORT", "SUBSET", "DIRECTION", "TYPE", "DESTINATION RULE", "LB", "ENDPOINTS"],
        [.. Items(dump, "clusters").Select(c => (IReadOnlyList<string>)[
            Text(c["service"]), Text(c["port"]), Text(c["subset"], "-"), Text(c["direction"]), "EDS", Text(c["destinationRule"], ""),
            Text(c["loadBalancer"]) + (c["outlierDetection"] is JsonObject ? " +outlier" : ""),
            $"{Text(c["healthyEndpoints"])}/{Text(c["endpoints"])} healthy"])]);

    private static ConfigTable Endpoints(JsonObject dump) => new("Endpoints", ["ENDPOINT", "STATUS", "OUTLIER CHECK", "CLUSTER", "LABELS"],
        [.. Items(dump, "endpoints").Select(e => (IReadOnlyList<string>)[
            Text(e["address"]), Text(e["health"]), Text(e["outlierCheck"]), Text(e["cluster"]),
            string.Join(",", (e["labels"] as JsonObject ?? []).Select(l => $"{l.Key}={l.Value}"))])]);

    /// <summary>Istio's notation: <c>/*</c> for a prefix, the path for exact, <c>~re</c> for a regex; headers as name=value; blocks joined by " | ".</summary>
    private static string Match(JsonObject route)
    {
        var blocks = (route["match"] as JsonArray ?? []).OfType<JsonObject>().Select(match =>
        {
            var parts = new List<string>();
            if (match["uri"] is JsonObject uri)
            {
                parts.Add(Condition("", uri) is var u && u.StartsWith("^=", StringComparison.Ordinal) ? u[2..] + "*" : u.TrimStart('='));
            }

            if (match["method"] is JsonObject method)
            {
                parts.Add("method" + Condition("", method));
            }

            foreach (var (name, condition) in match["headers"] as JsonObject ?? [])
            {
                parts.Add(name + Condition("", condition as JsonObject));
            }

            if (match["port"] is { } port)
            {
                parts.Add($"port {port}");
            }

            return parts.Count == 0 ? "/*" : string.Join(" ", parts);
        }).ToList();
        return blocks.Count == 0 ? "/*" : string.Join(" | ", blocks);
    }

    private static string Condition(string prefix, JsonObject? condition)
    {
        var (kind, value) = condition?.FirstOrDefault() is { Key: { } k } pair ? (k, Text(pair.Value)) : ("present", "");
        return kind switch
        {
            "exact" => $"{prefix}={value}",
            "prefix" => $"{prefix}^={value}",
            "regex" => $"{prefix}~{value}",
            _ => $"{prefix} present",
        };
    }

    private static string Destinations(JsonObject route) => string.Join(", ", (route["route"] as JsonArray ?? []).OfType<JsonObject>().Select(d =>
        $"{Text(d["host"])}:{Text(d["port"])}{(d["subset"] is { } subset ? $" subset {subset}" : "")} {Text(d["weight"])}%{(d["problem"] is { } problem ? $" ({problem})" : "")}"));

    private static string Policies(JsonObject route)
    {
        var parts = new List<string>();
        if (route["timeout"] is { } timeout)
        {
            parts.Add($"timeout {timeout}");
        }

        if (route["retries"] is JsonObject retries)
        {
            var attempts = (int?)retries["attempts"] ?? 0;
            var codes = Strings(retries["retriableStatusCodes"]).ToList();
            parts.Add(attempts == 0 ? "no retries" : $"retries {attempts}{(retries["perTryTimeout"] is { } perTry ? $" per try {perTry}" : "")} on {Text(retries["retryOn"])}{(codes.Count > 0 ? $" {string.Join(",", codes)}" : "")}");
        }

        if (route["fault"]?["delay"] is JsonObject delay)
        {
            parts.Add($"fault: delay {Text(delay["fixedDelay"])} for {Text(delay["percentage"])}%");
        }

        if (route["fault"]?["abort"] is JsonObject abort)
        {
            parts.Add($"fault: abort {Text(abort["httpStatus"])} for {Text(abort["percentage"])}%");
        }

        if (route["rewriteUri"] is { } rewrite)
        {
            parts.Add($"rewrite {rewrite}");
        }

        return string.Join("; ", parts);
    }

    private static JsonObject Configs(JsonObject dump) => dump["configs"] as JsonObject
        ?? throw new DiagnosticsException("the proxy's /config_dump has no 'configs' section: it is older than this CLI; restart the pod with this build (waylay down, waylay up)");

    private static IEnumerable<JsonObject> Items(JsonObject dump, string key) => (Configs(dump)[key] as JsonArray ?? []).OfType<JsonObject>();

    private static string Key(ProxyConfigKind kind) => kind.ToString().ToLowerInvariant();

    private static IEnumerable<string> Strings(JsonNode? array) => (array as JsonArray ?? []).Select(v => Text(v));

    private static string Text(JsonNode? node, string none = "") => node switch
    {
        null => none,
        JsonValue value when value.TryGetValue<string>(out var s) => s,
        JsonValue value when value.TryGetValue<double>(out var d) => d.ToString(CultureInfo.InvariantCulture),
        _ => node.ToJsonString(),
    };

    /// <summary>"outbound [::]:15001" → "[::]".</summary>
    private static string Address(string listener) => listener[(listener.IndexOf(' ') + 1)..Math.Max(listener.IndexOf(' ') + 1, listener.LastIndexOf(':'))];

    private static string Port(string listener) => listener[(listener.LastIndexOf(':') + 1)..];
}
