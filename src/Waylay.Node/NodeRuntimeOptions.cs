using Waylay.Node.Processes;

namespace Waylay.Node;

/// <summary>
/// One run of the node runtime: its id (every name it makes is <c>wl-&lt;RunId&gt;-…</c>), where its state lives, where
/// the CNI plugins are, and how containers are restarted.
/// </summary>
internal sealed record NodeRuntimeOptions
{
    /// <summary>The run's id: short (interface names are at most 15 characters), lower-case letters and digits.</summary>
    public required string RunId { get; init; }

    /// <summary>The parent of every run's state directory; the run's own is <c>&lt;StateRoot&gt;/&lt;RunId&gt;</c>.</summary>
    public string StateRoot { get; init; } = "/run/waylay";

    /// <summary>Where the standard CNI plugins are (Debian's containernetworking-plugins).</summary>
    public string CniPluginDirectory { get; init; } = "/usr/lib/cni";

    /// <summary><c>hostPath</c> volumes expose the machine's files to a pod: refused unless asked for.</summary>
    public bool AllowHostPath { get; init; }

    /// <summary>
    /// kube-proxy's <c>--masquerade-all</c>: every connection to a ClusterIP is SNATed, also a pod's (default: only
    /// clients outside 10.244.0.0/16 and hairpin). With it, a pod on another node sees that node's address as the
    /// client, as in the seed's cluster.
    /// </summary>
    public bool MasqueradeAll { get; init; }

    /// <summary>
    /// flannel's <c>--ip-masq</c> (and Docker's bridge, under many clusters of the seed's day): a pod's traffic that
    /// leaves its node's pod subnet is masqueraded to the node's address (the CNI bridge plugin's <c>ipMasq</c>), so a
    /// pod on another node sees that node as the client. Off by default, as in today's clusters.
    /// </summary>
    public bool IpMasquerade { get; init; }

    public RestartBackoff Backoff { get; init; } = RestartBackoff.Kubernetes;

    public string StateDirectory => Path.Combine(StateRoot, RunId);

    /// <summary>Every error at once, each naming the field and the fix.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (RunId.Length is 0 or > 8 || !RunId.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9')))
        {
            errors.Add($"run id '{RunId}': use 1 to 8 lower-case letters or digits (names are wl-<run>-…, an interface name has at most 15 characters)");
        }

        if (!Path.IsPathFullyQualified(StateRoot))
        {
            errors.Add($"state root '{StateRoot}': give an absolute path, e.g. /run/waylay");
        }

        if (!File.Exists(Path.Combine(CniPluginDirectory, "bridge")))
        {
            errors.Add($"CNI plugins: no 'bridge' in {CniPluginDirectory}; install them: apt-get install containernetworking-plugins");
        }

        return errors;
    }
}
