namespace Waylay.Node.Pods;

/// <summary>The pod's resolv.conf: nameservers, search domains and options (Kubernetes' ClusterFirst gives
/// the cluster DNS, <c>&lt;ns&gt;.svc.cluster.local svc.cluster.local cluster.local</c> and <c>ndots:5</c>).</summary>
internal sealed record PodDns(IReadOnlyList<string> Nameservers, IReadOnlyList<string> Searches, IReadOnlyList<string> Options)
{
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
