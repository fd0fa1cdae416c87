using System.Diagnostics;
using System.Runtime.CompilerServices;
using Waylay.Diagnostics.Names;
using Waylay.Node.State;

namespace Waylay.Diagnostics.Tcpdump;

/// <summary>
/// tcpdump inside a pod's network namespace (<c>nsenter --net</c>: the packets on its eth0 and lo, as the seed
/// watched them), line-buffered, each line with pod and Service names put on its addresses. It only listens.
/// </summary>
internal static class TcpdumpSession
{
    public static async IAsyncEnumerable<string> RunAsync(
        RunPod pod, string @interface, int? count, IReadOnlyList<string> filter, AddressBook names, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("nsenter") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in (string[])["--net=" + pod.NetnsPath, "--", "tcpdump", "-l", "-n", "-i", @interface, .. count is { } c ? ["-c", c.ToString(System.Globalization.CultureInfo.InvariantCulture)] : Array.Empty<string>(), .. filter])
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new DiagnosticsException("nsenter did not start");
        var errors = process.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            while (await process.StandardOutput.ReadLineAsync(cancellationToken) is { } line)
            {
                yield return names.Substitute(line);
            }

            await process.WaitForExitAsync(cancellationToken);
            if (process.ExitCode != 0)
            {
                var why = (await errors).Trim();
                throw new DiagnosticsException(process.ExitCode == 127 || why.Contains("tcpdump: No such file", StringComparison.Ordinal) || why.Contains("No such file or directory", StringComparison.Ordinal)
                    ? "tcpdump is not installed; apt-get install -y tcpdump (./waylay installs it)"
                    : $"tcpdump in pod {pod.Name} failed ({process.ExitCode}): {why}");
            }
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }
}
