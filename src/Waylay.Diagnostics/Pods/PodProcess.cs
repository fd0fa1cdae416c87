using System.Globalization;
using Waylay.Node.State;

namespace Waylay.Diagnostics.Pods;

/// <summary>
/// A running container of a pod and the ids its process runs as (from <c>/proc/PID/status</c>, the kernel's word, not
/// the manifest's): what the owner match in the capture rules sees for its connections.
/// </summary>
internal sealed record PodProcess(string Container, int Pid, uint Uid, uint Gid)
{
    public const string ProxyContainer = "waylay-proxy";

    public bool IsProxy => Container is ProxyContainer or "istio-proxy";

    /// <summary>The pod's running containers, in the order they were recorded.</summary>
    public static IReadOnlyList<PodProcess> Of(RunPod pod)
    {
        var processes = new List<PodProcess>();
        foreach (var container in pod.Containers)
        {
            if (pod.Pid(container.Name) is not { } pid || Ids(pid) is not { } ids)
            {
                continue;
            }

            processes.Add(new PodProcess(container.Name, pid, ids.Uid, ids.Gid));
        }

        return processes;
    }

    /// <summary>The app: the first running container that is not the proxy.</summary>
    public static PodProcess? App(RunPod pod) => Of(pod).FirstOrDefault(p => !p.IsProxy);

    private static (uint Uid, uint Gid)? Ids(int pid)
    {
        try
        {
            uint? uid = null, gid = null;
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                // "Uid:\t1000\t1000\t1000\t1000": real, effective, saved, fs; the owner match uses the effective one.
                if (line.StartsWith("Uid:", StringComparison.Ordinal))
                {
                    uid = uint.Parse(line.Split('\t', StringSplitOptions.RemoveEmptyEntries)[2], CultureInfo.InvariantCulture);
                }
                else if (line.StartsWith("Gid:", StringComparison.Ordinal))
                {
                    gid = uint.Parse(line.Split('\t', StringSplitOptions.RemoveEmptyEntries)[2], CultureInfo.InvariantCulture);
                }
            }

            return uid is { } u && gid is { } g ? (u, g) : null;
        }
        catch (IOException)
        {
            return null; // exited since it was recorded
        }
    }
}
