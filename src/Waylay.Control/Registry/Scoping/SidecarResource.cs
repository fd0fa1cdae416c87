using Waylay.Mesh.Networking;

namespace Waylay.Control.Registry.Scoping;

/// <summary>
/// An Istio <c>Sidecar</c> as Waylay applies it: which workloads of its namespace it selects, and the egress hosts
/// (<c>namespace/dnsName</c>) that limit the services and VirtualServices their proxies receive.
/// </summary>
/// <param name="Selector">workloadSelector.labels; null selects every workload of the namespace (its default).</param>
/// <param name="Hosts">The union of every egress listener's hosts.</param>
internal sealed record SidecarResource(string Name, string Namespace, DateTimeOffset? Created, IReadOnlyDictionary<string, string>? Selector, IReadOnlyList<EgressHost> Hosts)
{
    public string Key => $"{Namespace}/{Name}";

    public bool Selects(IReadOnlyDictionary<string, string> labels)
    {
        if (Selector is null)
        {
            return true;
        }

        foreach (var (key, value) in Selector)
        {
            if (!labels.TryGetValue(key, out var own) || own != value)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Whether a resource of <paramref name="resourceNamespace"/> answering to <paramref name="host"/> is in the egress
    /// of a proxy in <paramref name="proxyNamespace"/>: <c>.</c> is the proxy's namespace (also for the root
    /// namespace's default), <c>*</c> any namespace, <c>~</c> none; the dnsName is <c>*</c>, <c>*.suffix</c> or exact.
    /// </summary>
    public bool Allows(string resourceNamespace, string host, string proxyNamespace)
    {
        foreach (var egress in Hosts)
        {
            var ns = egress.Namespace == "." ? proxyNamespace : egress.Namespace;
            if (ns != "*" && ns != resourceNamespace)
            {
                continue;
            }

            if (egress.DnsName == "*" || HostName.Covers(egress.DnsName, host) || (host.StartsWith("*.", StringComparison.Ordinal) && HostName.Covers(egress.DnsName, "x" + host[1..])))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>One <c>egress[].hosts</c> entry, <c>namespace/dnsName</c>.</summary>
internal readonly record struct EgressHost(string Namespace, string DnsName)
{
    public override string ToString() => $"{Namespace}/{DnsName}";
}
