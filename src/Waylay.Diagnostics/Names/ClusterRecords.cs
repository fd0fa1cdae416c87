using System.Net;

namespace Waylay.Diagnostics.Names;

/// <summary>
/// The cluster DNS's records as the run wrote them for dnsmasq (<c>&lt;state&gt;/dns/hosts/&lt;ns&gt;_&lt;svc&gt;</c>,
/// src/Waylay.Node/Dns/ClusterDns.cs): "10.96.0.11\tdetails.default.svc.cluster.local" per line.
/// </summary>
internal static class ClusterRecords
{
    public static IReadOnlyDictionary<string, IPAddress> Read(string runDirectory)
    {
        var records = new Dictionary<string, IPAddress>(StringComparer.Ordinal);
        var hosts = Path.Combine(runDirectory, "dns", "hosts");
        foreach (var file in Directory.Exists(hosts) ? Directory.GetFiles(hosts).Where(f => !Path.GetFileName(f).StartsWith('.')) : [])
        {
            foreach (var line in File.ReadLines(file))
            {
                if (line.Split('\t', 2) is [var ip, var name] && IPAddress.TryParse(ip, out var address))
                {
                    records[name.Trim()] = address;
                }
            }
        }

        return records;
    }
}
