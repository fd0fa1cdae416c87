using System.Net;
using System.Text.Json.Nodes;
using Waylay.Diagnostics.Pods;
using Waylay.Node.State;

namespace Waylay.Diagnostics.Proxy;

/// <summary>
/// Whether a proxy holds an endpoint healthy, from its <c>/clusters</c>. A pod's readiness reaches the proxies a moment
/// after it is reported (the control plane's debounce and push, the gateway's file poll), so what is about to send
/// traffic through them waits for it, bounded, instead of measuring that window.
/// </summary>
internal static class ProxyEndpoints
{
    /// <summary>True once <paramref name="pod"/>'s proxy holds <paramref name="endpoint"/> healthy; false when <paramref name="within"/> passed first.</summary>
    public static async Task<bool> WaitHealthyAsync(RunPod pod, IPEndPoint endpoint, TimeSpan within, TimeProvider time, CancellationToken cancellationToken)
    {
        var network = new PodNetwork(pod);
        var started = time.GetTimestamp();
        var address = endpoint.ToString();
        while (true)
        {
            var clusters = JsonNode.Parse(await network.AdminGetAsync("/clusters", cancellationToken)) as JsonArray ?? [];
            if (clusters.SelectMany(c => c?["endpoints"] as JsonArray ?? [])
                .Any(e => (string?)e?["address"] == address && (string?)e?["health"] == "Healthy"))
            {
                return true;
            }

            if (time.GetElapsedTime(started) > within)
            {
                return false;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), time, cancellationToken);
        }
    }
}
