using System.Net;
using System.Text.RegularExpressions;
using Waylay.Node.State;

namespace Waylay.Diagnostics.Names;

/// <summary>
/// Names for the addresses of a run, from its state alone: each pod's IP (its sandbox's CNI result), each Service's
/// ClusterIP (the cluster DNS's hosts files, <c>&lt;state&gt;/dns/hosts/</c>), and the pod-local addresses the
/// capture sends traffic to (the proxy's listeners on loopback, its 127.0.0.6 passthrough source).
/// </summary>
internal sealed partial class AddressBook
{
    private readonly Dictionary<IPAddress, string> _names;

    private AddressBook(Dictionary<IPAddress, string> names) => _names = names;

    public static AddressBook Of(string runDirectory)
    {
        var names = new Dictionary<IPAddress, string>();
        foreach (var pod in PodLookup.All(runDirectory))
        {
            if (pod.Address is { } address)
            {
                names[address] = pod.Name;
            }

            // The pod's gateway is its node's bridge: kubelet probes and node-local traffic come from it.
            if (pod.Record.CniResult?["ips"]?[0]?["gateway"]?.GetValue<string>() is { } gateway && IPAddress.TryParse(gateway, out var node))
            {
                names.TryAdd(node, $"node{pod.Record.Node}");
            }
        }

        foreach (var (name, address) in ClusterRecords.Read(runDirectory))
        {
            names[address] = name.Replace(".svc.cluster.local", "", StringComparison.Ordinal); // details.default
        }

        names[IPAddress.Parse("127.0.0.6")] = "passthrough";
        return new AddressBook(names);
    }

    public string? NameOf(IPAddress address) => _names.GetValueOrDefault(address);

    /// <summary>"details.default:9080", "productpage-v1-…:41234", "proxy :15001" or the bare endpoint.</summary>
    public string Describe(IPEndPoint endpoint)
    {
        if (IPAddress.IsLoopback(endpoint.Address) && endpoint.Port is 15001 or 15006 or 15000)
        {
            return $"proxy :{endpoint.Port}";
        }

        return NameOf(endpoint.Address) is { } name ? $"{name}:{endpoint.Port}" : endpoint.ToString();
    }

    /// <summary>Puts names on every IPv4 address in a line of text (tcpdump's "10.244.1.8.41234" included).</summary>
    public string Substitute(string line) =>
        Ipv4().Replace(line, m => IPAddress.TryParse(m.Value, out var a) && NameOf(a) is { } name ? name : m.Value);

    [GeneratedRegex(@"(?<![\d.])\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?=\.\d+\b|[^\d.]|$)")]
    private static partial Regex Ipv4();
}
