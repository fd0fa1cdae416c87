using System.Globalization;
using System.Net;
using System.Text;
using Waylay.Capture.Options;
using Waylay.Capture.Plan;

namespace Waylay.Capture.Render;

/// <summary>
/// A rule in exactly the form `iptables-save` prints it back (option order, "-m tcp", "/32" suffixes), so verify can
/// compare the kernel's state with the plan line by line.
/// </summary>
public static class IptablesRuleText
{
    public static string Render(Rule rule, IpFamily family)
    {
        var m = rule.Match;
        var s = new StringBuilder("-A ").Append(rule.Chain);
        Address(s, "-s", m.Source);
        Address(s, "-d", m.Destination);
        if (m.InInterface is { } i)
        {
            s.Append(" -i ").Append(i);
        }

        if (m.OutInterface is { } o)
        {
            s.Append(" -o ").Append(o);
        }

        if (m.TcpOnly)
        {
            s.Append(" -p tcp");
        }

        if (m.DestinationPort is { } port)
        {
            s.Append(" -m tcp").Append(port.Negated ? " ! --dport " : " --dport ").Append(port.Value.ToString(CultureInfo.InvariantCulture));
        }

        Owner(s, "--uid-owner", m.UidOwner);
        Owner(s, "--gid-owner", m.GidOwner);
        if (m.Mark is { } mark)
        {
            // libxt_mark prints the mark in hex, and no mask when it is the whole word.
            s.Append(" -m mark").Append(mark.Negated ? " ! " : " ").Append("--mark 0x").Append(mark.Value.ToString("x", CultureInfo.InvariantCulture));
        }

        if (m.State != ConnState.None)
        {
            s.Append(" -m conntrack --ctstate ").Append(States(m.State));
        }

        s.Append(" -j ").Append(Target(rule.Target, family));
        return s.ToString();
    }

    private static void Address(StringBuilder s, string flag, Negatable<IPNetwork>? address)
    {
        if (address is { } a)
        {
            s.Append(a.Negated ? " ! " : " ").Append(flag).Append(' ').Append(a.Value.ToString());
        }
    }

    private static void Owner(StringBuilder s, string flag, Negatable<uint>? owner)
    {
        if (owner is { } o)
        {
            s.Append(" -m owner").Append(o.Negated ? " ! " : " ").Append(flag).Append(' ').Append(o.Value.ToString(CultureInfo.InvariantCulture));
        }
    }

    // The order the conntrack match prints states in (libxt_conntrack's print_state).
    private static readonly ConnState[] PrintOrder = [ConnState.Invalid, ConnState.New, ConnState.Related, ConnState.Established];

    private static string States(ConnState state) => ConnStateText.Join(state, PrintOrder, upper: true);

    private static string Target(Target target, IpFamily family) => target switch
    {
        JumpTarget j => j.Chain,
        ReturnTarget => "RETURN",
        AcceptTarget => "ACCEPT",
        DropTarget => "DROP",
        RedirectTarget r => $"REDIRECT --to-ports {r.Port}",
        MarkTarget k => $"MARK --set-xmark 0x{k.Mark:x}/0xffffffff",
        TproxyTarget t => $"TPROXY --on-port {t.Port} --on-ip {(family == IpFamily.V4 ? "0.0.0.0" : "::")} --tproxy-mark 0x{t.Mark:x}/0xffffffff",
        _ => throw new ArgumentOutOfRangeException(nameof(target), target, "no iptables form for this target"),
    };
}
