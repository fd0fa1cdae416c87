using System.Diagnostics;
using Waylay.Linux;
using Waylay.Node.Namespaces;
using Waylay.Node.Processes;

namespace Waylay.Node.Pods;

/// <summary>
/// The pod's sandbox process, Kubernetes' "pause" container: it sleeps in the pod's network namespace, inside a
/// mount and a UTS namespace of its own (unshare), which live as long as it does. Every container joins all three
/// through it (nsenter --target). Mount propagation is <c>slave</c>: the machine's unmounts (an <c>ip netns del</c>
/// elsewhere) still reach the pod, so it never pins other namespaces, while its own mounts never reach the machine.
/// </summary>
internal static class PauseProcess
{
    public static async Task<(Process Process, ProcessIdentity Identity)> StartAsync(
        string netnsPath, string hostname, CancellationToken cancellationToken)
    {
        var process = ProcessLauncher.Start(
            ["/usr/bin/nsenter", "--net=" + netnsPath, "--",
             "/usr/bin/unshare", "--mount", "--uts", "--propagation", "slave", "--", "/usr/bin/sleep", "infinity"],
            new Dictionary<string, string> { ["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin" },
            logFile: null);
        try
        {
            var identity = ProcessIdentity.Of(process.Id)
                ?? throw new InvalidOperationException("the pod's pause process exited at once");
            // The PID is sh's until the exec chain reaches sleep: only then are its namespaces the pod's.
            var own = File.ResolveLinkTarget("/proc/self/ns/mnt", false)?.ToString();
            while (File.ReadAllText($"/proc/{process.Id}/comm").Trim() != "sleep"
                   || File.ResolveLinkTarget($"/proc/{process.Id}/ns/mnt", false)?.ToString() == own)
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"the pod's pause process exited with {process.ExitCode} (nsenter/unshare into {netnsPath})");
                }

                await Task.Delay(5, cancellationToken);
            }

            NetworkNamespaces.Require(
                await Exec.RunAsync("nsenter", ["--target", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), "--uts", "--", "hostname", hostname], null, cancellationToken),
                $"hostname {hostname} in the pod");
            return (process, identity);
        }
        catch
        {
            process.Kill();
            process.Dispose();
            throw;
        }
    }
}
