using System.Globalization;
using System.Net;
using Waylay.Diagnostics.Names;
using Waylay.Node.State;

namespace Waylay.Diagnostics.Explain;

/// <summary>
/// Where <c>--to</c> points: a URL or HOST:PORT, the host resolved as the pod would resolve it: an address as is,
/// localhost to 127.0.0.1, a Service name by the run's cluster DNS records (its search list: <c>name</c>,
/// <c>name.ns</c>, <c>name.ns.svc</c>, the full name), a pod name to its IP.
/// </summary>
internal sealed record Destination(string Given, string Host, IPAddress Address, ushort Port, string Resolution)
{
    public IPEndPoint EndPoint => new(Address, Port);

    public static Destination Resolve(string given, RunPod from)
    {
        var (host, port) = Split(given);
        if (IPAddress.TryParse(host.Trim('[', ']'), out var literal))
        {
            return new Destination(given, host, literal, port, "an address: no lookup");
        }

        if (host == "localhost")
        {
            return new Destination(given, host, IPAddress.Loopback, port, "localhost: the pod's own loopback (127.0.0.1)");
        }

        var records = ClusterRecords.Read(from.Run.Directory);
        var ns = from.KubeNamespace;
        foreach (var candidate in (string[])[$"{host}.{ns}.svc.cluster.local", $"{host}.svc.cluster.local", $"{host}.cluster.local", host])
        {
            if (records.TryGetValue(candidate, out var address))
            {
                return new Destination(given, host, address, port, $"the run's DNS: {candidate} → {address} (a Service's ClusterIP)");
            }
        }

        if (PodLookup.All(from.Run.Directory).FirstOrDefault(p => p.Name == host) is { Address: { } podAddress })
        {
            return new Destination(given, host, podAddress, port, $"pod {host}'s IP {podAddress}");
        }

        throw new PodLookupException($"--to {given}: '{host}' is no Service, pod or address of run {from.RunId}; the Services: {string.Join(", ", records.Keys.Select(k => k.Replace(".svc.cluster.local", "", StringComparison.Ordinal)).Order(StringComparer.Ordinal))}");
    }

    private static (string Host, ushort Port) Split(string given)
    {
        if (Uri.TryCreate(given, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
        {
            return (uri.Host, (ushort)uri.Port);
        }

        var colon = given.LastIndexOf(':');
        return colon > 0 && ushort.TryParse(given[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port > 0
            ? (given[..colon], port)
            : throw new PodLookupException($"--to {given}: give a URL (http://details:9080/details/0) or HOST:PORT (details:9080, 10.96.0.11:9080)");
    }
}
