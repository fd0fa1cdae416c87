using System.Diagnostics;
using System.Globalization;
using Waylay.Diagnostics.Names;
using Waylay.Node.State;

namespace Waylay.Diagnostics.Experiments;

/// <summary>
/// tcpdump inside the target pod's namespace for the length of one source's run, as the seed watched productpage:
/// every interface of the pod (eth0 and lo), TCP to or from the port, addresses named. It is started and waited on
/// until tcpdump says it is listening, so the connection's first packets are not missed; stopping it returns the
/// lines seen. It only listens.
/// </summary>
internal sealed class PacketWatch : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly Task _reading;

    private PacketWatch(Process process, AddressBook names)
    {
        _process = process;
        _reading = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                lock (_lines)
                {
                    _lines.Add(names.Substitute(line));
                }
            }
        });
    }

    public static async Task<PacketWatch> StartAsync(RunPod pod, int port, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("nsenter") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in (string[])["--net=" + pod.NetnsPath, "--", "tcpdump", "-l", "-n", "-i", "any", "tcp", "port", port.ToString(CultureInfo.InvariantCulture)])
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new DiagnosticsException("nsenter did not start");
        var watch = new PacketWatch(process, AddressBook.Of(pod.Run.Directory));
        // tcpdump writes "listening on any, …" to stderr once its socket is open: from then on nothing is missed.
        while (await process.StandardError.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Contains("listening on", StringComparison.Ordinal))
            {
                _ = process.StandardError.ReadToEndAsync(CancellationToken.None);
                return watch;
            }
        }

        await watch.DisposeAsync();
        throw new DiagnosticsException($"tcpdump did not start in pod {pod.Name} (is it installed? apt-get install -y tcpdump)");
    }

    /// <summary>Stops tcpdump and returns what it printed.</summary>
    public async Task<IReadOnlyList<string>> StopAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        await _reading;
        lock (_lines)
        {
            return [.. _lines];
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
    }
}
