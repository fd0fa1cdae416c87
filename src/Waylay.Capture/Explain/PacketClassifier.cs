using System.Net;
using Waylay.Capture.Options;
using Waylay.Capture.Plan;
using Waylay.Capture.Render;

namespace Waylay.Capture.Explain;

/// <summary>
/// Walks a <see cref="RulePlan"/> for one packet the way netfilter walks the rules: the hooks in order (mangle then nat
/// PREROUTING for arriving packets, mangle then nat OUTPUT for local ones, and mangle PREROUTING again when a local
/// packet loops back over lo), each chain top to bottom, jumps and returns, until a terminal target or the built-in
/// chain's ACCEPT policy. The packet's fwmark travels with it: MARK sets it, "-m mark" tests it. It sees only Waylay's
/// rules, which is what it explains.
/// </summary>
public static class PacketClassifier
{
    public static Verdict Classify(RulePlan plan, Packet packet)
    {
        var family = packet.Family == System.Net.Sockets.AddressFamily.InterNetwork ? IpFamily.V4 : IpFamily.V6;
        var rules = plan.For(family);
        if (rules is null)
        {
            return new Verdict(VerdictKind.NotCaptured, 0, [],
                "not captured: no IPv6 rules were written (capture runs without --ipv6), so IPv6 goes straight through");
        }

        var steps = new List<Step>();
        var hooks = packet.Direction == PacketDirection.Out
            ? new[] { (NetfilterTable.Mangle, ChainNames.Output), (NetfilterTable.Nat, ChainNames.Output) }
            : [(NetfilterTable.Mangle, ChainNames.Prerouting), (NetfilterTable.Nat, ChainNames.Prerouting)];

        Verdict? tproxied = null;
        uint mark = 0;
        foreach (var (table, chain) in hooks)
        {
            var target = Walk(rules, table, chain, packet, ref mark, steps, depth: 0);
            switch (target)
            {
                case DropTarget:
                    return new Verdict(VerdictKind.Dropped, 0, steps, "dropped");
                case RedirectTarget r:
                    return new Verdict(VerdictKind.Redirected, r.Port, steps, Redirected(packet, r.Port, plan.Options));
                case TproxyTarget t:
                    // TPROXY ends the mangle walk; nat PREROUTING still sees the packet, but the socket is chosen.
                    tproxied = new Verdict(VerdictKind.Tproxied, t.Port, steps,
                        $"captured: TPROXY hands it, unrewritten, to the proxy's transparent listener on :{t.Port} (mark 0x{t.Mark:x})");
                    break;
            }
        }

        if (tproxied is null && packet.Direction == PacketDirection.Out && packet.EffectiveOutInterface == "lo")
        {
            // A local packet sent over lo comes back in through mangle PREROUTING (nat PREROUTING is skipped: NAT was
            // decided at OUTPUT for this connection), where TPROXY rules could take it. It keeps the mark OUTPUT gave it.
            var looped = packet with { Direction = PacketDirection.In, InInterface = "lo", OutInterface = null };
            switch (Walk(rules, NetfilterTable.Mangle, ChainNames.Prerouting, looped, ref mark, steps, depth: 0))
            {
                case DropTarget:
                    return new Verdict(VerdictKind.Dropped, 0, steps, "dropped when it looped back over lo");
                case TproxyTarget t:
                    return new Verdict(VerdictKind.Tproxied, t.Port, steps,
                        $"captured when it looped back over lo: TPROXY to the proxy's transparent listener on :{t.Port}");
            }
        }

        return tproxied ?? new Verdict(VerdictKind.NotCaptured, 0, steps,
            $"not captured: the connection goes to {new IPEndPoint(packet.Destination, packet.DestinationPort)} as addressed");
    }

    /// <summary>The one-line path, e.g. "OUTPUT → ISTIO_OUTPUT #9 → ISTIO_REDIRECT #1 → REDIRECT :15001".</summary>
    public static string Path(Verdict verdict)
    {
        var parts = new List<string>();
        foreach (var step in verdict.Steps)
        {
            parts.Add(ChainNames.IsBuiltIn(step.Rule.Chain) ? step.Rule.Chain : $"{step.Rule.Chain} #{step.Number}");
        }

        parts.Add(verdict.Kind switch
        {
            VerdictKind.Redirected => $"REDIRECT :{verdict.Port}",
            VerdictKind.Tproxied => $"TPROXY :{verdict.Port}",
            VerdictKind.Dropped => "DROP",
            _ => "ACCEPT",
        });
        return string.Join(" → ", parts);
    }

    private static string Redirected(Packet packet, ushort port, CaptureOptions options)
    {
        var to = packet.Direction == PacketDirection.Out
            ? new IPEndPoint(packet.Family == System.Net.Sockets.AddressFamily.InterNetwork ? IPAddress.Loopback : IPAddress.IPv6Loopback, port).ToString()
            : $"{packet.EffectiveInInterface}'s address:{port}";
        var which = port == options.OutboundCapturePort ? "outbound" : port == options.InboundCapturePort ? "inbound" : "capture";
        return $"captured: REDIRECT to {to}, the proxy's {which} listener; it reads the original destination {new IPEndPoint(packet.Destination, packet.DestinationPort)} with SO_ORIGINAL_DST";
    }

    private static Target? Walk(FamilyPlan rules, NetfilterTable table, string chain, Packet packet, ref uint mark, List<Step> steps, int depth)
    {
        if (depth > 16)
        {
            throw new InvalidOperationException($"jump loop through {chain}");
        }

        var number = 0;
        foreach (var rule in rules.In(table, chain))
        {
            number++;
            if (!Matches(rule.Match, packet, mark))
            {
                continue;
            }

            steps.Add(new Step(rule, number, IptablesRuleText.Render(rule, rules.Family)));
            switch (rule.Target)
            {
                case JumpTarget jump:
                    var result = Walk(rules, table, jump.Chain, packet, ref mark, steps, depth + 1);
                    if (result is not null)
                    {
                        return result;
                    }

                    continue;
                case ReturnTarget:
                    return null;
                case MarkTarget set:
                    mark = set.Mark;
                    continue;
                default:
                    return rule.Target;
            }
        }

        return null;
    }

    private static bool Matches(Match m, Packet p, uint mark)
    {
        if (m.TcpOnly && !p.Tcp)
        {
            return false;
        }

        if (m.DestinationPort is { } port && !p.Tcp)
        {
            return false;
        }

        return Address(m.Source, p.Source)
            && Address(m.Destination, p.Destination)
            && Interface(m.InInterface, p.Direction == PacketDirection.In ? p.EffectiveInInterface : null)
            && Interface(m.OutInterface, p.Direction == PacketDirection.Out ? p.EffectiveOutInterface : null)
            && (m.DestinationPort is not { } dport || (dport.Value == p.DestinationPort) != dport.Negated)
            && Owner(m.UidOwner, p.Direction == PacketDirection.Out ? p.Uid : null)
            && Owner(m.GidOwner, p.Direction == PacketDirection.Out ? p.Gid : null)
            && (m.Mark is not { } mk || (mk.Value == mark) != mk.Negated)
            && (m.State == ConnState.None || (m.State & p.State) != 0);
    }

    // An unknown source (not given) is in no network: "-s 127.0.0.6" does not match it, "! -s …" does.
    private static bool Address(Negatable<IPNetwork>? match, IPAddress? address) =>
        match is not { } m || ((address is not null && m.Value.Contains(address)) != m.Negated);

    // iptables' interface names may end in '+', a prefix wildcard. No interface at this hook never matches.
    private static bool Interface(string? pattern, string? name) =>
        pattern is null || (name is not null && (pattern.EndsWith('+') ? name.StartsWith(pattern[..^1], StringComparison.Ordinal) : name == pattern));

    // The owner match only exists for locally made packets; elsewhere iptables refuses it, so it cannot match.
    private static bool Owner(Negatable<uint>? match, uint? id) =>
        match is not { } m || (id is { } value && (value == m.Value) != m.Negated);
}
