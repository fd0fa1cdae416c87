using System.Net;
using System.Text.Json.Nodes;
using Waylay.Diagnostics.Pods;
using Waylay.Node.State;

namespace Waylay.Diagnostics.Explain;

/// <summary>
/// What the caller's proxy does with a captured connection, read from its admin API as it is now: /config_dump's
/// services (the one whose ClusterIP:port is the original destination, its port's protocol) and /clusters' endpoints
/// for it. A routed service is connected to one of its endpoints (pod IPs) by the proxy itself, so kube-proxy's DNAT of
/// the ClusterIP is not on the path; no service means passthrough to the original destination.
/// </summary>
internal sealed record ProxyDecision(string Summary, IReadOnlyList<string> Details, string? Service, bool Http, IReadOnlyList<IPEndPoint> Endpoints)
{
    public bool Routed => Service is not null;

    public static async Task<ProxyDecision> ReadAsync(RunPod from, Destination to, CancellationToken cancellationToken)
    {
        var network = new PodNetwork(from);
        var config = await Proxy.ProxyAdmin.ConfigDumpAsync(network, cancellationToken);
        var services = config["services"] as JsonArray ?? [];
        var listeners = $"listeners: {string.Join(", ", (config["listeners"] as JsonArray ?? []).Select(l => l?.ToString()))}";
        var route = services.OfType<JsonObject>().FirstOrDefault(s =>
            s["number"]?.GetValue<int>() == to.Port && (s["addresses"] as JsonArray ?? []).Any(a => a?.GetValue<string>() == to.Address.ToString()));
        if (route is null)
        {
            return new ProxyDecision(
                $"no service for {to.EndPoint} in its config (version '{config["version"]}', source {config["source"]}, {services.Count} services): passthrough to the original destination {to.EndPoint}",
                [listeners], null, false, []);
        }

        var service = route["service"]!.GetValue<string>();
        var http = IsHttp(route["port"]?.GetValue<string>(), route["appProtocol"]?.GetValue<string>());
        var clusters = System.Text.Json.Nodes.JsonNode.Parse(await network.AdminGetAsync("/clusters", cancellationToken)) as JsonArray ?? [];
        var cluster = clusters.OfType<JsonObject>().FirstOrDefault(c => c["service"]?.GetValue<string>() == service && c["port"]?.GetValue<int>() == to.Port);
        var endpoints = (cluster?["endpoints"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(e => (Address: IPEndPoint.Parse(e["address"]!.GetValue<string>()), Health: e["health"]?.GetValue<string>(), Labels: e["labels"]?.ToJsonString()))
            .ToList();
        var pods = PodLookup.All(from.Run.Directory);
        var rules = $"{config["virtualServices"]} VirtualService(s), {config["destinationRules"]} DestinationRule(s) in its config";
        return new ProxyDecision(
            $"service {service} port {route["port"]} ({(http ? "HTTP: the route and subset are chosen per request, the endpoint from its pool when the request arrives" : "TCP: the endpoint is picked at connect")}) → "
            + $"connects to one of {endpoints.Count} endpoint(s) directly, {route["loadBalancer"]} (no kube-proxy DNAT)",
            [listeners, rules, .. endpoints.Select(e => $"endpoint {e.Address} ({pods.FirstOrDefault(p => e.Address.Address.Equals(p.Address))?.Name ?? "not a pod of this run"}, {e.Health}, labels {e.Labels})")],
            service, http, [.. endpoints.Select(e => e.Address)]);
    }

    /// <summary>Istio's protocol selection: the port's appProtocol, else its name's prefix (http, http2, grpc…).</summary>
    private static bool IsHttp(string? name, string? appProtocol)
    {
        var protocol = string.IsNullOrEmpty(appProtocol) ? name?.Split('-')[0] : appProtocol;
        return protocol?.ToLowerInvariant() is "http" or "http2" or "grpc" or "grpc-web" or "h2c" or "kubernetes.io/h2c";
    }
}
