using System.Globalization;
using System.Net;
using System.Text;
using Waylay.Diagnostics.Rules;
using Waylay.Node.Underlay;

namespace Waylay.Diagnostics.Explain;

/// <summary>
/// What the caller's node does to a connection on its way out: its nat POSTROUTING walked, rule by rule, for the
/// connection's first packet (source, destination, port, mark), as the kernel would. The rules there are kube-proxy's
/// (<c>KUBE-POSTROUTING</c>: masquerade what <c>KUBE-MARK-MASQ</c> marked) and, with <c>waylay up --ip-masq</c>, the
/// CNI bridge plugin's per pod (<c>-s POD -j CNI-…</c>: its own subnet accepted, anything else masqueraded), which is
/// the seed's "the request comes from the other node". A masqueraded connection arrives with the node's address as
/// its source. A rule whose match this walk cannot evaluate stops it, and the step says which rule, rather than guess.
/// </summary>
internal sealed record NodeEgress(IPAddress Source, IReadOnlyList<KernelRule> Matched, string Summary)
{
    private const uint KubeMasqueradeMark = 0x4000;

    /// <summary>The source the peer sees for <paramref name="source"/> → <paramref name="destination"/> leaving node <paramref name="node"/>.</summary>
    public static NodeEgress Walk(IReadOnlyList<KernelRule> nat, int node, IPAddress source, IPEndPoint destination, bool kubeMarked)
    {
        var matched = new List<KernelRule>();
        var packet = new Probe(source, destination, kubeMarked ? KubeMasqueradeMark : 0);
        var (end, rule) = Chain(nat, "POSTROUTING", packet, matched, 0);
        var last = rule ?? matched.LastOrDefault();
        return end switch
        {
            End.Masquerade => new NodeEgress(UnderlayNetwork.AddressOf(node), matched,
                $"node{node}'s nat POSTROUTING masquerades it ({rule!.Chain} #{rule.Number}: {rule.Body}): it leaves with the node's address {UnderlayNetwork.AddressOf(node)}"),
            End.Snat => new NodeEgress(SnatAddress(rule!) ?? source, matched, $"node{node}'s nat POSTROUTING rewrites its source ({rule!.Chain} #{rule.Number}: {rule.Body})"),
            End.Unknown => new NodeEgress(source, matched,
                $"node{node}'s nat POSTROUTING has a rule this walk cannot evaluate ({rule!.Chain} #{rule.Number}: {rule.Body}): predicted unchanged, the peer's conntrack tells"),
            _ => new NodeEgress(source, matched, last is null
                ? $"node{node}'s nat POSTROUTING leaves its source {source} as it is"
                : $"node{node}'s nat POSTROUTING leaves its source {source} as it is ({last.Chain} #{last.Number}: {last.Body})"),
        };
    }

    /// <summary>Whether kube-proxy marks the connection for masquerade on its way to a portal: a matching <c>-j KUBE-MARK-MASQ</c> before its DNAT, or hairpin.</summary>
    public static bool KubeMarked(IReadOnlyList<KernelRule> nat, IPAddress source, IPEndPoint portal, IPEndPoint endpoint) =>
        source.Equals(endpoint.Address)
        || nat.Any(r => r.Chain == "KUBE-SERVICES" && Target(Tokens(r.Text)).Name == "KUBE-MARK-MASQ" && Matches(Tokens(r.Text), new Probe(source, portal, 0)) == true);

    private enum End { Return, Accept, Masquerade, Snat, Unknown }

    private sealed class Probe(IPAddress source, IPEndPoint destination, uint mark)
    {
        public IPAddress Source { get; } = source;

        public IPEndPoint Destination { get; } = destination;

        public uint Mark { get; set; } = mark;
    }

    private static (End, KernelRule?) Chain(IReadOnlyList<KernelRule> nat, string chain, Probe packet, List<KernelRule> matched, int depth)
    {
        if (depth > 16)
        {
            return (End.Unknown, null);
        }

        foreach (var rule in nat.Where(r => r.Chain == chain))
        {
            var tokens = Tokens(rule.Text);
            switch (Matches(tokens, packet))
            {
                case null:
                    return (End.Unknown, rule);
                case false:
                    continue;
            }

            matched.Add(rule);
            var (target, arguments) = Target(tokens);
            switch (target)
            {
                case "ACCEPT":
                    return (End.Accept, rule);
                case "RETURN":
                    return (End.Return, rule);
                case "MASQUERADE":
                    return (End.Masquerade, rule);
                case "SNAT":
                    return (End.Snat, rule);
                case "MARK" when Mark(arguments, packet.Mark) is { } mark:
                    packet.Mark = mark;
                    continue;
                case not null when nat.Any(r => r.Chain == target):
                    var (end, last) = Chain(nat, target, packet, matched, depth + 1);
                    if (end != End.Return)
                    {
                        return (end, last);
                    }

                    continue;
                case null:
                    continue; // no target: a counting rule
                default:
                    return (End.Unknown, rule);
            }
        }

        return (End.Return, null);
    }

    /// <summary>True, false, or null when the rule matches on something this walk does not know of the packet.</summary>
    private static bool? Matches(IReadOnlyList<string> tokens, Probe packet)
    {
        var negate = false;
        for (var i = 2; i < tokens.Count; i++)
        {
            var token = tokens[i];
            bool? holds;
            switch (token)
            {
                case "!":
                    negate = true;
                    continue;
                case "-j" or "-g":
                    return true;
                case "-m" when i + 1 < tokens.Count && tokens[i + 1] is "comment" or "mark" or "tcp":
                    i++;
                    continue;
                case "--comment":
                    i++;
                    continue;
                case "-p":
                    holds = tokens[++i] == "tcp";
                    break;
                case "-s" or "-d":
                    var network = IPNetwork.Parse(tokens[++i].Contains('/', StringComparison.Ordinal) ? tokens[i] : tokens[i] + "/32");
                    holds = network.Contains(token == "-s" ? packet.Source : packet.Destination.Address);
                    break;
                case "--dport":
                    holds = tokens[++i] == packet.Destination.Port.ToString(CultureInfo.InvariantCulture);
                    break;
                case "--mark":
                    var (value, mask) = MarkValue(tokens[++i]);
                    holds = (packet.Mark & mask) == value;
                    break;
                default:
                    return null;
            }

            if (holds != !negate)
            {
                return false;
            }

            negate = false;
        }

        return true;
    }

    private static (string? Name, IReadOnlyList<string> Arguments) Target(IReadOnlyList<string> tokens)
    {
        var at = tokens.ToList().FindIndex(t => t is "-j" or "-g");
        return at < 0 || at + 1 >= tokens.Count ? (null, []) : (tokens[at + 1], [.. tokens.Skip(at + 2)]);
    }

    private static uint? Mark(IReadOnlyList<string> arguments, uint mark) => arguments switch
    {
        ["--or-mark", var v, ..] => mark | MarkValue(v).Value,
        ["--xor-mark", var v, ..] => mark ^ MarkValue(v).Value,
        ["--set-xmark", var v, ..] => (mark & ~MarkValue(v).Mask) ^ MarkValue(v).Value,
        ["--set-mark", var v, ..] => MarkValue(v).Value,
        _ => null,
    };

    private static (uint Value, uint Mask) MarkValue(string text)
    {
        var parts = text.Split('/');
        static uint Number(string s) => s.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? uint.Parse(s.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture)
            : uint.Parse(s, CultureInfo.InvariantCulture);
        return (Number(parts[0]), parts.Length > 1 ? Number(parts[1]) : uint.MaxValue);
    }

    private static IPAddress? SnatAddress(KernelRule rule)
    {
        var arguments = Target(Tokens(rule.Text)).Arguments.ToList();
        var at = arguments.IndexOf("--to-source");
        return at >= 0 && at + 1 < arguments.Count && IPAddress.TryParse(arguments[at + 1].Split(':')[0].Split('-')[0], out var address) ? address : null;
    }

    /// <summary>An iptables-save line split as the shell would: a double-quoted comment (with \" inside) is one token.</summary>
    private static List<string> Tokens(string line)
    {
        var tokens = new List<string>();
        var current = new StringBuilder();
        var quoted = false;
        var any = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted && c == '\\' && i + 1 < line.Length)
            {
                current.Append(line[++i]);
            }
            else if (c == '"')
            {
                quoted = !quoted;
                any = true;
            }
            else if (c == ' ' && !quoted)
            {
                if (any || current.Length > 0)
                {
                    tokens.Add(current.ToString());
                }

                current.Clear();
                any = false;
            }
            else
            {
                current.Append(c);
            }
        }

        if (any || current.Length > 0)
        {
            tokens.Add(current.ToString());
        }

        return tokens;
    }
}
