using System.Text.Json;

namespace Waylay.Node.State;

/// <summary>
/// The run's state directory, the single source of truth for teardown: what was made is written here
/// <em>before</em> it is made (so a crash between the two still leaves a record), and teardown reads nothing else.
/// <code>
/// &lt;state&gt;/run.json                        the run's id
/// &lt;state&gt;/cni/ipam/&lt;network&gt;/…            host-local's leases (its dataDir)
/// &lt;state&gt;/nodes/node&lt;N&gt;.json             a node's namespace
/// &lt;state&gt;/underlay/underlay.json          the underlay's namespace and bridge (two nodes or more)
/// &lt;state&gt;/underlay/node&lt;N&gt;.json          a node's veth pair, address and host-gw routes
/// &lt;state&gt;/pods/&lt;pod&gt;/pod.json            the sandbox: namespace, CNI result, the pause process
/// &lt;state&gt;/pods/&lt;pod&gt;/manifest.json       the pod object (injected: its labels, its init container's capture flags)
/// &lt;state&gt;/pods/&lt;pod&gt;/containers/&lt;c&gt;.json  a container's process (PID and start time)
/// &lt;state&gt;/pods/&lt;pod&gt;/exec.json           its containers as waylay exec runs in their place (uid, env)
/// &lt;state&gt;/pods/&lt;pod&gt;/logs/&lt;c&gt;.log       its stdout and stderr, across restarts (waylay logs)
/// &lt;state&gt;/pods/&lt;pod&gt;/volumes/&lt;v&gt;/       emptyDir, configMap, secret, downwardAPI contents
/// &lt;state&gt;/pods/&lt;pod&gt;/etc/               the pod's resolv.conf and hosts
/// &lt;state&gt;/pods/&lt;pod&gt;/overlays/&lt;n&gt;/       upper/work/merged of a directory made writable for mount points
/// &lt;state&gt;/pods/&lt;pod&gt;/oci/&lt;c&gt;/          a container from an image: its runc bundle (config.json, overlay rootfs, layer)
/// &lt;state&gt;/runc/                        runc's --root: the run's runc containers' state
/// </code>
/// </summary>
internal sealed class RunState(string directory)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public string Directory { get; } = directory;

    public string IpamDirectory => Path.Combine(Directory, "cni", "ipam");

    public string NodeFile(int node) => Path.Combine(Directory, "nodes", $"node{node}.json");

    public string UnderlayFile => Path.Combine(Directory, "underlay", "underlay.json");

    public string UnderlayMemberFile(int node) => Path.Combine(Directory, "underlay", $"node{node}.json");

    public UnderlayRecord? Underlay() => File.Exists(UnderlayFile) ? Read<UnderlayRecord>(UnderlayFile) : null;

    public IEnumerable<UnderlayMemberRecord> UnderlayMembers() => ReadAll<UnderlayMemberRecord>(Path.Combine(Directory, "underlay"), "node*.json");

    public string PodDirectory(string pod) => Path.Combine(Directory, "pods", pod);

    public string PodFile(string pod) => Path.Combine(PodDirectory(pod), "pod.json");

    public string ContainerFile(string pod, string container) => Path.Combine(PodDirectory(pod), "containers", container + ".json");

    public string ExecFile(string pod) => Path.Combine(PodDirectory(pod), "exec.json");

    public string LogFile(string pod, string container) => Path.Combine(PodDirectory(pod), "logs", container + ".log");

    /// <summary>The pod object as the API server would hold it (injected, labels and all), written by <c>waylay up</c>.</summary>
    public string ManifestFile(string pod) => Path.Combine(PodDirectory(pod), "manifest.json");

    public string VolumeDirectory(string pod, string volume) => Path.Combine(PodDirectory(pod), "volumes", volume);

    public string EtcDirectory(string pod) => Path.Combine(PodDirectory(pod), "etc");

    public string OverlayDirectory(string pod, int index) => Path.Combine(PodDirectory(pod), "overlays", index.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public IEnumerable<NodeRecord> Nodes() => ReadAll<NodeRecord>(Path.Combine(Directory, "nodes"), "*.json");

    public IEnumerable<PodRecord> Pods() =>
        System.IO.Directory.Exists(Path.Combine(Directory, "pods"))
            ? System.IO.Directory.GetDirectories(Path.Combine(Directory, "pods"))
                .Select(d => Path.Combine(d, "pod.json")).Where(File.Exists).Select(Read<PodRecord>)
            : [];

    public IEnumerable<ContainerRecord> Containers(string pod) =>
        ReadAll<ContainerRecord>(Path.Combine(PodDirectory(pod), "containers"), "*.json");

    /// <summary>Writes atomically (a temporary file renamed over the old one): a crash leaves the old or the new record.</summary>
    public void Write<T>(string path, T record)
    {
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(record, Json));
        File.Move(temporary, path, overwrite: true);
    }

    public static T Read<T>(string path) =>
        JsonSerializer.Deserialize<T>(File.ReadAllText(path), Json)
        ?? throw new InvalidDataException($"{path}: empty state record; remove the run's state directory by hand");

    private static IEnumerable<T> ReadAll<T>(string directory, string pattern) =>
        System.IO.Directory.Exists(directory)
            ? System.IO.Directory.GetFiles(directory, pattern).Order(StringComparer.Ordinal).Select(Read<T>)
            : [];
}
