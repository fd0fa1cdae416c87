using System.Net;
using System.Text.Json.Nodes;
using Waylay.Capture.Explain;
using Waylay.Diagnostics.Explain;
using Waylay.Diagnostics.Names;
using Waylay.Diagnostics.Pods;
using Waylay.Diagnostics.Proxy;
using Waylay.Node.State;

namespace Waylay.Diagnostics.Experiments;

/// <summary>
/// Source (1), the seed's first: a request from outside through Istio's ingress gateway
/// (<c>istio-system/istio-ingressgateway</c>, which <c>waylay up</c> runs when the manifests hold a Gateway).
/// <code>
///  outside → the gateway Service's portal :80 → node: kube-proxy DNAT → the gateway pod :8080
///          → the gateway proxy's decision (VirtualService route, an endpoint it picks itself: no second DNAT)
///          → the target's PREROUTING captures (15006) → its proxy's inbound relay → the app
/// </code>
/// The request is an HTTP GET for a path the gateway's VirtualService sends to the target's Service (read from the
/// gateway's own rules file), made from the gateway pod's side to the address the node DNATs the portal to, as the
/// 127.0.0.1 forwarder's connection arrives. Each step is confirmed from what the kernel and the gateway show: its
/// access-log line, its pooled upstream in <c>/connections</c>, the target's counters, conntrack and inbound pair.
/// </summary>
internal static class GatewaySource
{
    private const string ServiceName = "istio-ingressgateway.istio-system.svc.cluster.local";
    private const int ServicePort = 80; // Istio's Service port http2 (→ 8080 in the pod)

    /// <summary>The request the experiment sends: the Host and path a bound VirtualService routes to the target's Service.</summary>
    public sealed record Request(string Host, string Path, string VirtualService);

    public static RunPod? Find(string runDirectory) =>
        PodLookup.All(runDirectory).FirstOrDefault(p => p.KubeNamespace == "istio-system" && p.Labels.GetValueOrDefault("istio") == "ingressgateway");

    /// <summary>The first route of a gateway-bound VirtualService to <paramref name="service"/>, as a request; null when none routes there.</summary>
    public static Request? RequestFor(RunPod gateway, string service, string kubeNamespace)
    {
        var rules = Path.Combine(gateway.Run.Directory, "pods", gateway.Name, "volumes", "waylay-gateway-config", "rules.yaml");
        if (!File.Exists(rules))
        {
            return null;
        }

        foreach (var document in File.ReadAllText(rules).Split("\n---\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (JsonNode.Parse(document) is not JsonObject { } vs || (string?)vs["kind"] != "VirtualService")
            {
                continue;
            }

            foreach (var route in (vs["spec"]?["http"] as JsonArray ?? []).OfType<JsonObject>())
            {
                var hosts = (route["route"] as JsonArray ?? []).Select(d => (string?)d?["destination"]?["host"]);
                if (!hosts.Any(h => h == service || h == $"{service}.{kubeNamespace}" || h?.StartsWith($"{service}.{kubeNamespace}.svc", StringComparison.Ordinal) == true))
                {
                    continue;
                }

                var uri = (route["match"] as JsonArray)?.OfType<JsonObject>().Select(m => m["uri"]).FirstOrDefault(u => u is not null);
                var path = uri is null ? "/" : (string?)uri["exact"] ?? (string?)uri["prefix"];
                var host = (vs["spec"]?["hosts"] as JsonArray ?? []).Select(h => (string?)h).FirstOrDefault(h => h is not null && !h.Contains('*', StringComparison.Ordinal)) ?? "waylay.example";
                // A regex-only match names no path to send; a path or host the request line cannot carry as written is skipped too.
                if (path is not null && Plain(path) && Plain(host))
                {
                    return new Request(host, path, $"{vs["metadata"]?["namespace"] ?? kubeNamespace}/{vs["metadata"]?["name"]}");
                }
            }
        }

        return null;
    }

    private static bool Plain(string text) => text.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '-' or '_' or '~' or ':');

    /// <summary>The predicted path; the connection <see cref="PathRun"/> makes is to the last step's <see cref="Destination"/>.</summary>
    public static async Task<(IReadOnlyList<PathStep> Steps, Destination To)> PredictAsync(
        RunPod gateway, Request request, IPEndPoint target, CancellationToken cancellationToken)
    {
        var records = ClusterRecords.Read(gateway.Run.Directory);
        var portal = new IPEndPoint(records.TryGetValue(ServiceName, out var ip) ? ip : throw new DiagnosticsException($"no Service {ServiceName} in the run's DNS records"), ServicePort);
        var dnat = await ServiceEndpoints.ReadAsync(gateway, portal, cancellationToken) ?? [];
        var listener = dnat.FirstOrDefault(e => e.Address.Equals(gateway.Address))
            ?? throw new DiagnosticsException($"the node's kube-proxy rules send {portal} to {string.Join(", ", dnat)}, not to the gateway pod {gateway.Name} ({gateway.Address})");
        var to = new Destination($"{portal}", request.Host, listener.Address, (ushort)listener.Port, $"the gateway Service's portal {portal}");
        var steps = new List<PathStep>
        {
            new("outside", $"GET {request.Path} (Host: {request.Host}) to the ingress gateway's Service {portal}",
                ["`waylay up`'s forwarder on 127.0.0.1 connects to this portal from the node; the experiment sends the request from the gateway pod's side, to the address the portal is DNATed to"], []),
            new($"node{gateway.Record.Node}", $"kube-proxy: Service portal {portal} → DNAT to {listener} (the gateway pod)",
                [.. dnat.Select(e => $"{e} ({(e.Address.Equals(gateway.Address) ? gateway.Name : "another endpoint")})")], []),
        };

        var endpoints = await ServiceEndpoints.ReadAsync(gateway, target, cancellationToken) ?? [];
        var config = await ProxyAdmin.ConfigDumpAsync(new PodNetwork(gateway), cancellationToken);
        var route = (config["services"] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault(s =>
            s["number"]?.GetValue<int>() == target.Port && (s["addresses"] as JsonArray ?? []).Any(a => a?.GetValue<string>() == target.Address.ToString()));
        var decision = route is null
            ? $"no service {target} in its config (version '{config["version"]}'): the request would get 503/404"
            : $"VirtualService {request.VirtualService} routes {request.Path} to service {route["service"]} → {route["healthyEndpoints"]}/{route["endpoints"]} healthy endpoints ({route["loadBalancer"]}); it dials the endpoint itself";
        steps.Add(new PathStep($"{gateway.Name} proxy", $"gateway listener :{listener.Port}: {decision}",
            [$"not captured: the gateway pod is not injected (no capture rules); its proxy (uid 1337) connects from {gateway.Address}",
             $"config version '{config["version"]}', {config["virtualServices"]} VirtualService(s), listeners: {string.Join(", ", (config["listeners"] as JsonArray ?? []).Select(l => l?.ToString()))}"],
            // No conntrack check here: a pod without netfilter rules has no conntrack hooks in its namespace, so its
            // table stays empty; the access-log line (downstream, upstream, route) and /connections show the relay.
            [new AccessLogged(gateway, request.Path), new ProxyPools(gateway, endpoints)])
            { Capture = VerdictKind.NotCaptured, Pod = gateway.Name });

        var pods = PodLookup.All(gateway.Run.Directory);
        foreach (var endpoint in endpoints)
        {
            if (pods.FirstOrDefault(p => endpoint.Address.Equals(p.Address)) is { } peer)
            {
                steps.Add(await PathPlanner.InboundStepAsync(gateway, peer, endpoint, cancellationToken));
            }
        }

        return (steps, to);
    }
}
