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
}
