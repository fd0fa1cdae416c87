using Waylay.Capture.Apply;
using Waylay.Node.State;

namespace Waylay.Diagnostics.Pods;

/// <summary>
/// Reads a pod's network namespace from outside it: every tool runs under <c>nsenter --net</c> (this process never
/// changes namespace) and only reads: listings, /proc/net, the proxy's admin API on the pod's loopback.
/// </summary>
internal sealed class PodNetwork(RunPod pod)
{
    private readonly NetworkNamespace _netns = new(pod.NetnsPath);

    public RunPod Pod { get; } = pod;

    public NetworkNamespace Namespace => _netns;

    public async Task<string> RunAsync(string tool, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        if (!File.Exists(Pod.NetnsPath))
        {
            throw new DiagnosticsException($"pod {Pod.Name}: its network namespace {Pod.NetnsPath} is gone (the run is being torn down?); see: waylay ps {Pod.RunId}");
        }

        var result = await _netns.RunAsync(tool, arguments, null, cancellationToken);
        return result.Succeeded
            ? result.StandardOutput
            : throw new DiagnosticsException($"pod {Pod.Name}: {tool} {string.Join(' ', arguments)} failed ({result.ExitCode}): {result.Diagnostic}");
    }

    public Task<string?> ReadProcNetAsync(string name, CancellationToken cancellationToken) => _netns.ReadProcNetAsync(name, cancellationToken);

    /// <summary>GET on the proxy's admin API (127.0.0.1:15000 in the pod, reachable from nowhere else).</summary>
    public async Task<string> AdminGetAsync(string path, CancellationToken cancellationToken, ushort port = 15000)
    {
        var result = await _netns.RunAsync("curl", ["-sS", "--max-time", "5", $"http://127.0.0.1:{port}{path}"], null, cancellationToken);
        return result.Succeeded
            ? result.StandardOutput
            : throw new DiagnosticsException($"pod {Pod.Name}: the proxy's admin API 127.0.0.1:{port}{path} did not answer ({result.Diagnostic}); is the pod injected and its proxy running? see: waylay ps {Pod.RunId}");
    }
}
