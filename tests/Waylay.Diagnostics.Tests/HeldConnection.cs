using System.Diagnostics;
using System.Net;
using Waylay.Node.State;

namespace Waylay.Diagnostics.Tests;

/// <summary>
/// A TCP connection made from inside a pod's namespace as a given uid (bash's /dev/tcp) and held open until disposed,
/// so the proxies' pairs and conntrack's ESTABLISHED entries are there to be read. With <c>request</c>, one keep-alive
/// HTTP/1.1 GET is written first: a proxy routing an HTTP service connects upstream only when a request arrives.
/// </summary>
internal sealed class HeldConnection : IDisposable
{
    private readonly Process _process;

    private HeldConnection(Process process) => _process = process;

    public static async Task<HeldConnection> OpenAsync(RunPod pod, uint uid, IPEndPoint to, string? request = null)
    {
        var send = request is null ? "" : $"printf 'GET {request} HTTP/1.1\\r\\nHost: {to}\\r\\n\\r\\n' >&3; ";
        var start = new ProcessStartInfo("nsenter") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in (string[])["--net=" + pod.NetnsPath, "--setuid", uid.ToString(), "--setgid", uid.ToString(), "--", "bash", "-c",
            $"exec 3<>/dev/tcp/{to.Address}/{to.Port} || exit 7; {send}echo connected; exec sleep 120"])
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        var line = await process.StandardOutput.ReadLineAsync();
        if (line != "connected")
        {
            // Only now: stderr ends when the holding process does, so reading it on success would wait for that.
            Assert.Fail($"no connection to {to} from {pod.Name}: {await process.StandardError.ReadToEndAsync()}");
        }

        return new HeldConnection(process);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }
}
