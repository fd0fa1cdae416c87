using System.Text.Json.Nodes;
using Waylay.Diagnostics.Pods;
using Waylay.Node.State;

namespace Waylay.Diagnostics.Proxy;

/// <summary>
/// <c>waylay proxy-status</c>: every sidecar of a run against the control plane, as <c>istioctl proxy-status</c>.
/// <code>
///   waylay-control's /debug/syncz (15014, in its pod) ─► per proxy and type: version sent, version ACKed, NACK
///   each sidecar's /config_dump (15000, in its pod)    ─► per type: the version it runs
///   joined by pod: SYNCED (ACKed what was sent, and runs it), STALE (not yet), NACK (refused, runs the older one)
/// </code>
/// Both ends are read because either alone can lie by omission: the control plane cannot see a proxy that never
/// connected, and a proxy cannot see a push still on the wire.
/// </summary>
internal static class ProxyStatus
{
    public const string ControlPlanePod = "waylay-control";
    public const ushort ControlPlaneDebugPort = 15014;

    /// <summary>The types as istioctl's columns name Envoy's (LDS, RDS, CDS, EDS), then Waylay's workloads.</summary>
    public static IReadOnlyList<(string Type, string Column)> Types { get; } =
        [("services", "LDS (services)"), ("routes", "RDS (routes)"), ("clusters", "CDS (clusters)"), ("endpoints", "EDS (endpoints)"), ("workloads", "WORKLOADS")];

    public static async Task<JsonObject> ReadAsync(string runDirectory, CancellationToken cancellationToken)
    {
        var pods = PodLookup.All(runDirectory);
        var control = pods.FirstOrDefault(p => p.Name.StartsWith(ControlPlanePod, StringComparison.Ordinal) && p.KubeNamespace == "waylay-system")
            ?? throw new DiagnosticsException($"run {Path.GetFileName(runDirectory)} has no control plane pod (waylay-system/{ControlPlanePod}): its pods have no sidecar, or it was started without one; see: waylay ps {Path.GetFileName(runDirectory)}");
        var syncz = JsonNode.Parse(await new PodNetwork(control).AdminGetAsync("/debug/syncz", cancellationToken, ControlPlaneDebugPort)) as JsonObject
            ?? throw new DiagnosticsException($"pod {control.Name}: /debug/syncz is not a JSON object");
        var byId = (syncz["proxies"] as JsonArray ?? []).OfType<JsonObject>().ToDictionary(p => (string?)p["proxy"] ?? "", StringComparer.Ordinal);
        var rows = new JsonArray();
        foreach (var pod in pods.Where(p => p.Containers.Any(c => c.Name is PodProcess.ProxyContainer or "istio-proxy")).OrderBy(p => p.KubeNamespace, StringComparer.Ordinal).ThenBy(p => p.Name, StringComparer.Ordinal))
        {
            var id = $"{pod.Name}.{pod.KubeNamespace}";
            JsonObject? dump = null;
            string? error = null;
            try
            {
                dump = await ProxyAdmin.ConfigDumpAsync(new PodNetwork(pod), cancellationToken);
            }
            catch (DiagnosticsException e)
            {
                error = e.Message;
            }

            if (dump is not null && dump["discovery"] is null)
            {
                continue; // a proxy configured from files (the ingress gateway): the control plane is not its source
            }

            rows.Add(Row(pod.Name, pod.KubeNamespace, byId.GetValueOrDefault(id), dump?["discovery"] as JsonObject, error));
        }

        return new JsonObject
        {
            ["controlPlane"] = $"{control.KubeNamespace}/{control.Name}",
            ["version"] = syncz["version"]?.DeepClone(),
            ["proxies"] = rows,
        };
    }

    /// <summary>
    /// One sidecar's row: <paramref name="sent"/> is its entry in the control plane's /debug/syncz (null: not
    /// connected), <paramref name="proxy"/> the "discovery" object of its /config_dump (null: it did not answer).
    /// </summary>
    internal static JsonObject Row(string name, string kubeNamespace, JsonObject? sent, JsonObject? proxy, string? error)
    {
        var types = new JsonObject();
        foreach (var (type, _) in Types)
        {
            var server = sent?["types"]?[type] as JsonObject;
            var running = (string?)proxy?["versions"]?[type];
            types[type] = new JsonObject
            {
                ["sent"] = (string?)server?["sent"],
                ["acked"] = (string?)server?["acked"],
                ["running"] = running,
                ["status"] = Status(sent, server, running),
                ["nackError"] = (string?)server?["nackError"],
            };
        }

        return new JsonObject
        {
            ["name"] = name,
            ["namespace"] = kubeNamespace,
            ["proxy"] = $"{name}.{kubeNamespace}",
            ["connected"] = sent is not null && (bool?)proxy?["connected"] != false,
            ["runningVersion"] = (string?)proxy?["runningVersion"],
            ["lastNack"] = (string?)proxy?["lastNack"],
            ["error"] = error ?? (string?)proxy?["lastError"],
            ["types"] = types,
        };
    }

    /// <summary>istioctl's words: SYNCED, NOT SENT, STALE, and NACK where the proxy refused the version sent.</summary>
    private static string Status(JsonObject? proxy, JsonObject? server, string? running)
    {
        if (proxy is null)
        {
            return "NOT CONNECTED";
        }

        if (server is null || string.IsNullOrEmpty((string?)server["sent"]))
        {
            return "NOT SENT";
        }

        return (string?)server["status"] switch
        {
            "NACKED" => "NACK",
            "SYNCED" when running == (string?)server["sent"] => "SYNCED",
            _ => "STALE",
        };
    }
}
