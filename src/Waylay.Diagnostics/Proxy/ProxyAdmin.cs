using System.Net;
using System.Text.Json.Nodes;
using Waylay.Diagnostics.Pods;

namespace Waylay.Diagnostics.Proxy;

/// <summary>The sidecar's admin API, read from inside the pod (it listens on the pod's 127.0.0.1:15000 only).</summary>
internal static class ProxyAdmin
{
    public static async Task<IReadOnlyList<ProxyConnection>> ConnectionsAsync(PodNetwork pod, CancellationToken cancellationToken) =>
        ProxyConnection.Parse(await pod.AdminGetAsync("/connections", cancellationToken));

    public static async Task<JsonObject> ConfigDumpAsync(PodNetwork pod, CancellationToken cancellationToken) =>
        JsonNode.Parse(await pod.AdminGetAsync("/config_dump", cancellationToken)) as JsonObject
            ?? throw new DiagnosticsException($"pod {pod.Pod.Name}: the proxy's /config_dump is not a JSON object");

    /// <summary>
    /// /config_dump of a proxy reached at its admin address from this network namespace (a <c>waylay proxy</c> run by
    /// hand, outside <c>waylay up</c>): <c>proxy-config ADDRESS</c>.
    /// </summary>
    public static async Task<JsonObject> ConfigDumpAsync(IPEndPoint admin, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        string body;
        try
        {
            body = await http.GetStringAsync(new Uri($"http://{admin}/config_dump"), cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new DiagnosticsException($"the proxy's admin API at {admin} did not answer ({e.Message}); is a waylay proxy running with that --admin-port? Its admin API listens on 127.0.0.1 of its own network namespace (run this there, or name the pod of a waylay up run)");
        }

        return JsonNode.Parse(body) as JsonObject ?? throw new DiagnosticsException($"{admin}/config_dump is not a JSON object");
    }
}
