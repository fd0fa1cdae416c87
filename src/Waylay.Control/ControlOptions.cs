namespace Waylay.Control;

/// <summary>What <c>waylay control</c> is told, parsed once at the edge.</summary>
/// <param name="Paths">Manifest files and directories (<c>-f</c>), watched.</param>
/// <param name="Kubeconfig">Watch a cluster through this kubeconfig; with <paramref name="InCluster"/> the pod's service account.</param>
internal sealed record ControlOptions(IReadOnlyList<string> Paths, string? Kubeconfig = null, bool InCluster = false)
{
    public ushort Port { get; init; } = 15010;

    public ushort DebugPort { get; init; } = 15014;

    /// <summary>Address to bind both ports on; all addresses by default, as istiod.</summary>
    public System.Net.IPAddress Listen { get; init; } = System.Net.IPAddress.IPv6Any;

    /// <summary>Changes within this quiet period are pushed together (istiod's PILOT_DEBOUNCE_AFTER, 100 ms).</summary>
    public TimeSpan Debounce { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Istio's meshConfig.rootNamespace: its selector-less Sidecar is every namespace's default, its DestinationRules the last resort.</summary>
    public string RootNamespace { get; init; } = "istio-system";

    public TimeSpan FilePollInterval { get; init; } = TimeSpan.FromSeconds(1);

    public IReadOnlyList<string> Namespaces { get; init; } = [];

    /// <summary>Every problem at once, each naming the flag and the fix.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        foreach (var path in Paths)
        {
            if (!File.Exists(path) && !Directory.Exists(path))
            {
                errors.Add($"-f {path}: no such file or directory; give a manifest file or a directory of them");
            }
        }

        if (Kubeconfig is not null && !File.Exists(Kubeconfig))
        {
            errors.Add($"--kubeconfig {Kubeconfig}: no such file; give the path of a kubeconfig (or --in-cluster inside a pod)");
        }

        if (Port == DebugPort)
        {
            errors.Add($"--port and --debug-port are both {Port}: give them different ports");
        }

        return errors;
    }
}
