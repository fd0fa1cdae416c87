namespace Waylay.Node.Pods;

/// <summary>The pod's resolv.conf: nameservers, search domains and options (Kubernetes' ClusterFirst gives
/// the cluster DNS, <c>&lt;ns&gt;.svc.cluster.local svc.cluster.local cluster.local</c> and <c>ndots:5</c>).</summary>
internal sealed record PodDns(IReadOnlyList<string> Nameservers, IReadOnlyList<string> Searches, IReadOnlyList<string> Options)
{
    /// <summary>The kube-dns Service's ClusterIP (kubeadm's), which the kube-proxy role DNATs to the cluster DNS.</summary>
    public const string ClusterDnsAddress = "10.96.0.10";

    /// <summary>dnsPolicy ClusterFirst: the kube-dns Service, the pod's namespace first in the search list.</summary>
    public static PodDns ClusterFirst(string kubernetesNamespace) => ClusterFirst(ClusterDnsAddress, kubernetesNamespace);

    public static PodDns ClusterFirst(string nameserver, string kubernetesNamespace) => new(
        [nameserver],
        [$"{kubernetesNamespace}.svc.cluster.local", "svc.cluster.local", "cluster.local"],
        ["ndots:5"]);

    public string ResolvConf()
    {
        var text = new System.Text.StringBuilder();
        foreach (var server in Nameservers)
        {
            text.Append("nameserver ").Append(server).Append('\n');
        }

        if (Searches.Count > 0)
        {
            text.Append("search ").AppendJoin(' ', Searches).Append('\n');
        }

        if (Options.Count > 0)
        {
            text.Append("options ").AppendJoin(' ', Options).Append('\n');
        }

        return text.ToString();
    }
}
