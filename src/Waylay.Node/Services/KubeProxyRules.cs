using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Waylay.Mesh;

namespace Waylay.Node.Services;

/// <summary>
/// kube-proxy's iptables mode as one <c>iptables-restore --noflush</c> transaction (kubernetes
/// <c>pkg/proxy/iptables/proxier.go</c>, syncProxyRules), for the services of the whole cluster:
/// <code>
///  nat  PREROUTING/OUTPUT → KUBE-SERVICES ─ -d clusterIP --dport p → KUBE-SVC-&lt;hash&gt;
///         KUBE-SVC-…  ! -s 10.244.0.0/16 → KUBE-MARK-MASQ (off-cluster clients; every client with --masquerade-all)
///                     -m statistic --mode random --probability 1/(n-i) → KUBE-SEP-&lt;hash&gt; (the last: always)
///         KUBE-SEP-…  -s &lt;endpoint&gt; → KUBE-MARK-MASQ (hairpin), DNAT --to-destination ip:targetPort
///       POSTROUTING → KUBE-POSTROUTING: marked 0x4000 → MASQUERADE
///  filter FORWARD/OUTPUT (ctstate NEW) → KUBE-SERVICES: a service port with no ready endpoint → REJECT
/// </code>
/// Every <c>KUBE-*</c> chain is declared (so flushed) and rewritten whole; chains of the previous sync that are gone
/// are deleted (<c>-X</c>) after the rules that jumped to them are. The hooks from the built-in chains are written
/// once, by <see cref="Hooks"/>: <c>--noflush</c> keeps them.
/// </summary>
internal static class KubeProxyRules
{
    /// <summary>kube-proxy's masquerade bit (<c>--iptables-masquerade-bit</c> 14).</summary>
    public const string MasqueradeMark = "0x4000";

    /// <summary>The pods of every node (kube-proxy's <c>--cluster-cidr</c>): clients outside it are masqueraded.</summary>
    public static readonly IPNetwork ClusterCidr = IPNetwork.Parse("10.244.0.0/16");

    /// <summary>The jumps from the built-in chains into kube-proxy's (its <c>iptablesJumpChains</c>), once per node.</summary>
    public static string Hooks() =>
        "*nat\n" +
        ":KUBE-SERVICES - [0:0]\n" +
        ":KUBE-POSTROUTING - [0:0]\n" +
        "-I PREROUTING -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES\n" +
        "-I OUTPUT -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES\n" +
        "-I POSTROUTING -m comment --comment \"kubernetes postrouting rules\" -j KUBE-POSTROUTING\n" +
        "COMMIT\n" +
        "*filter\n" +
        ":KUBE-SERVICES - [0:0]\n" +
        "-I FORWARD -m conntrack --ctstate NEW -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES\n" +
        "-I OUTPUT -m conntrack --ctstate NEW -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES\n" +
        "COMMIT\n";

    /// <summary>
    /// The rules for <paramref name="services"/>; <paramref name="previousChains"/> (nat) are deleted when unused;
    /// <paramref name="masqueradeAll"/> is kube-proxy's <c>--masquerade-all</c>.
    /// </summary>
    public static (string Text, IReadOnlySet<string> NatChains) Render(IEnumerable<Service> services, IReadOnlySet<string> previousChains, bool masqueradeAll = false)
    {
        var chains = new SortedSet<string>(StringComparer.Ordinal) { "KUBE-SERVICES", "KUBE-POSTROUTING", "KUBE-MARK-MASQ" };
        var nat = new StringBuilder();
        var filter = new StringBuilder();
        nat.Append("-A KUBE-POSTROUTING -m mark ! --mark ").Append(MasqueradeMark).Append('/').Append(MasqueradeMark).Append(" -j RETURN\n");
        nat.Append("-A KUBE-POSTROUTING -j MARK --xor-mark ").Append(MasqueradeMark).Append('\n');
        nat.Append("-A KUBE-POSTROUTING -m comment --comment \"kubernetes service traffic requiring SNAT\" -j MASQUERADE --random-fully\n");
        nat.Append("-A KUBE-MARK-MASQ -j MARK --or-mark ").Append(MasqueradeMark).Append('\n');

        foreach (var service in services.OrderBy(s => s.Namespace, StringComparer.Ordinal).ThenBy(s => s.Name, StringComparer.Ordinal))
        {
            var clusterIp = service.Addresses.FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork);
            if (clusterIp is null)
            {
                continue;
            }

            var ready = service.Endpoints.Where(e => e.Health == EndpointHealth.Healthy).ToList();
            foreach (var port in service.Ports)
            {
                var name = PortName(service, port);
                var protocol = port.Protocol.ToString().ToLowerInvariant();
                var match = $"-m {protocol} -p {protocol} -d {clusterIp}/32 --dport {port.Port.ToString(CultureInfo.InvariantCulture)}";
                if (ready.Count == 0)
                {
                    filter.Append($"-A KUBE-SERVICES -m comment --comment \"{name} has no endpoints\" {match} -j REJECT --reject-with icmp-port-unreachable\n");
                    continue;
                }

                var svc = ServiceChain(name, protocol);
                chains.Add(svc);
                nat.Append($"-A KUBE-SERVICES -m comment --comment \"{name} cluster IP\" {match} -j {svc}\n");
                // proxier.go: masqueradeAll marks every client; else only those the local detector calls off-cluster.
                var clients = masqueradeAll ? "" : $" ! -s {ClusterCidr}";
                nat.Append($"-A {svc} -m comment --comment \"{name} cluster IP\" {match}{clients} -j KUBE-MARK-MASQ\n");
                var targets = ready.Select(e => $"{e.Address}:{e.PortFor(port).ToString(CultureInfo.InvariantCulture)}")
                    .Distinct(StringComparer.Ordinal).ToList();
                for (var i = 0; i < targets.Count; i++)
                {
                    var sep = EndpointChain(name, protocol, targets[i]);
                    chains.Add(sep);
                    var statistic = i < targets.Count - 1
                        ? $" -m statistic --mode random --probability {Probability(targets.Count - i)}"
                        : "";
                    nat.Append($"-A {svc} -m comment --comment \"{name} -> {targets[i]}\"{statistic} -j {sep}\n");
                    var ip = targets[i][..targets[i].LastIndexOf(':')];
                    nat.Append($"-A {sep} -m comment --comment {name} -s {ip}/32 -j KUBE-MARK-MASQ\n");
                    nat.Append($"-A {sep} -m comment --comment {name} -m {protocol} -p {protocol} -j DNAT --to-destination {targets[i]}\n");
                }
            }
        }

        var text = new StringBuilder();
        text.Append("*filter\n:KUBE-SERVICES - [0:0]\n").Append(filter).Append("COMMIT\n");
        text.Append("*nat\n");
        var stale = previousChains.Where(c => !chains.Contains(c)).Order(StringComparer.Ordinal).ToList();
        foreach (var chain in chains.Concat(stale))
        {
            text.Append(':').Append(chain).Append(" - [0:0]\n");
        }

        text.Append(nat);
        foreach (var chain in stale)
        {
            text.Append("-X ").Append(chain).Append('\n');
        }

        text.Append("COMMIT\n");
        return (text.ToString(), chains);
    }

    /// <summary>kube-proxy's ServicePortName: <c>ns/name:port</c>, or <c>ns/name</c> for an unnamed port.</summary>
    public static string PortName(Service service, ServicePort port) =>
        port.Name.Length == 0 ? $"{service.Namespace}/{service.Name}" : $"{service.Namespace}/{service.Name}:{port.Name}";

    /// <summary><c>KUBE-SVC-</c> + the first 16 characters of base32(sha256(servicePortName + protocol)) (portProtoHash).</summary>
    public static string ServiceChain(string portName, string protocol) => "KUBE-SVC-" + Hash(portName + protocol);

    /// <summary><c>KUBE-SEP-</c> + base32(sha256(servicePortName + protocol + "ip:port")), 16 characters.</summary>
    public static string EndpointChain(string portName, string protocol, string endpoint) => "KUBE-SEP-" + Hash(portName + protocol + endpoint);

    /// <summary>kube-proxy's <c>probability(n)</c>: <c>%0.10f</c> of 1/n.</summary>
    public static string Probability(int n) => (1.0 / n).ToString("F10", CultureInfo.InvariantCulture);

    private static string Hash(string text)
    {
        // base32.StdEncoding (RFC 4648) of the digest; 16 characters are its first 80 bits, 10 bytes.
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(text));
        var result = new StringBuilder(16);
        ulong buffer = 0;
        var bits = 0;
        for (var i = 0; result.Length < 16; i++)
        {
            buffer = (buffer << 8) | digest[i];
            bits += 8;
            while (bits >= 5 && result.Length < 16)
            {
                result.Append(Alphabet[(int)((buffer >> (bits - 5)) & 31)]);
                bits -= 5;
            }
        }

        return result.ToString();
    }
}
