using System.Net;
using Waylay.Node.State;

namespace Waylay.Node.Pods;

/// <summary>
/// Makes the pod's volumes and its own files under the run's state directory (the machine's side of the bind
/// mounts): emptyDir as 0777 directories (the kubelet's mode, so any uid can write), configMap, secret and
/// downwardAPI files 0644 in 0755 directories (Kubernetes' defaultMode), resolv.conf, and a hosts file with the pod's
/// IP under its hostname. Returns where each volume's contents are.
/// </summary>
internal static class PodVolumes
{
    private const UnixFileMode Directory0755 =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
        UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private const UnixFileMode File0644 =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private const UnixFileMode Directory0777 = Directory0755 | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite;

    public static IReadOnlyDictionary<string, string> Prepare(PodSpec spec, RunState state, IPAddress podAddress)
    {
        var sources = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var volume in spec.Volumes)
        {
            if (volume.Kind == VolumeKind.HostPath)
            {
                sources[volume.Name] = volume.HostPath
                    ?? throw new PodSpecException([$"pod {spec.Name}: hostPath volume '{volume.Name}' has no path"]);
                continue;
            }

            var directory = state.VolumeDirectory(spec.Name, volume.Name);
            Directory.CreateDirectory(directory);
            File.SetUnixFileMode(directory, volume.Kind == VolumeKind.EmptyDir ? Directory0777 : Directory0755);
            foreach (var (relative, content) in volume.Files)
            {
                var file = Path.Combine(directory, relative);
                Directory.CreateDirectory(Path.GetDirectoryName(file)!);
                File.WriteAllText(file, content);
                File.SetUnixFileMode(file, File0644);
            }

            sources[volume.Name] = directory;
        }

        var etc = state.EtcDirectory(spec.Name);
        Directory.CreateDirectory(etc);
        WriteFile(Path.Combine(etc, "resolv.conf"), spec.Dns.ResolvConf());
        WriteFile(Path.Combine(etc, "hosts"), Hosts(podAddress, spec.EffectiveHostname));
        WriteFile(Path.Combine(etc, "nsswitch.conf"), NsSwitch);
        return sources;
    }

    /// <summary>
    /// A container image's nsswitch.conf (Debian's base image): hosts from files, then DNS. The machine's may put
    /// mdns4_minimal [NOTFOUND=return] before dns, which ends every <c>*.cluster.local</c> lookup before the cluster
    /// DNS is asked.
    /// </summary>
    public const string NsSwitch =
        "passwd:         files\ngroup:          files\nshadow:         files\ngshadow:        files\n\n" +
        "hosts:          files dns\nnetworks:       files\n\n" +
        "protocols:      db files\nservices:       db files\nethers:         db files\nrpc:            db files\n";

    /// <summary>The kubelet's hosts file for a pod on the pod network (pkg/kubelet/kubelet_pods.go, managedHostsFileContent).</summary>
    public static string Hosts(IPAddress podAddress, string hostname) =>
        "# Kubernetes-managed hosts file (written by Waylay's node runtime).\n" +
        "127.0.0.1\tlocalhost\n" +
        "::1\tlocalhost ip6-localhost ip6-loopback\n" +
        "fe00::0\tip6-localnet\n" +
        "fe00::0\tip6-mcastprefix\n" +
        "fe00::1\tip6-allnodes\n" +
        "fe00::2\tip6-allrouters\n" +
        $"{podAddress}\t{hostname}\n";

    private static void WriteFile(string path, string content)
    {
        File.WriteAllText(path, content);
        File.SetUnixFileMode(path, File0644);
    }
}
