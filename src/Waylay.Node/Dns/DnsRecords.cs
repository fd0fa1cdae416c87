using System.Net;
using Waylay.Mesh;

namespace Waylay.Node.Dns;

/// <summary>
/// Kubernetes' DNS names (the DNS specification for Kubernetes, "cluster.local"): a ClusterIP service is
/// <c>&lt;svc&gt;.&lt;ns&gt;.svc.cluster.local</c>; a pod is <c>&lt;ip-with-dashes&gt;.&lt;ns&gt;.pod.cluster.local</c>.
/// Short names (<c>details</c>, <c>details.default</c>) are the pod's resolv.conf search list at work, not records.
/// </summary>
internal static class DnsRecords
{
    public const string ClusterDomain = "cluster.local";

    public static string ServiceName(Service service) => $"{service.Name}.{service.Namespace}.svc.{ClusterDomain}";

    public static string PodName(IPAddress address, string @namespace) =>
        $"{address.ToString().Replace('.', '-')}.{@namespace}.pod.{ClusterDomain}";

    /// <summary>A hosts-file line (dnsmasq's <c>--hostsdir</c> format) per address of the service.</summary>
    public static string HostsFile(Service service) =>
        string.Concat(service.Addresses.Select(a => $"{a}\t{ServiceName(service)}\n"));
}
