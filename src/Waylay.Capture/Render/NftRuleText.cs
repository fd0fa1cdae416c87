using System.Globalization;
using System.Net;
using System.Text;
using Waylay.Capture.Options;
using Waylay.Capture.Plan;

namespace Waylay.Capture.Render;

/// <summary>
/// A rule as nftables statements, in the form `nft list table` prints it back (counter values left out, see
/// <see cref="Apply.NftListing.WithoutCounterValues"/>), so verify compares text. Every rule carries an anonymous
/// <c>counter</c> ahead of its verdict, as iptables rules carry theirs, so <c>waylay rules</c> can show what each
/// rule took; istio-iptables' nft mode writes none (a deliberate difference, README: it matches the same packets).
/// </summary>
public static class NftRuleText
{
    /// <summary>The statement ahead of every verdict: counts what the rule's matches let through to it.</summary>
    public const string Counter = "counter";

    public static string Render(Rule rule, IpFamily family)
    {
        var m = rule.Match;
        var ip = family == IpFamily.V4 ? "ip" : "ip6";
        var parts = new List<string>();
        if (m.InInterface is { } i)
        {
            parts.Add($"iifname \"{i}\"");
        }

        if (m.OutInterface is { } o)
        {
            parts.Add($"oifname \"{o}\"");
        }

        Address(parts, ip + " saddr", m.Source);
        Address(parts, ip + " daddr", m.Destination);
        if (m.DestinationPort is { } port)
        {
            parts.Add($"tcp dport {(port.Negated ? "!= " : "")}{port.Value.ToString(CultureInfo.InvariantCulture)}");
        }
        else if (m.TcpOnly)
        {
            parts.Add("meta l4proto tcp");
        }

        if (m.UidOwner is { } uid)
        {
            parts.Add($"meta skuid {(uid.Negated ? "!= " : "")}{uid.Value.ToString(CultureInfo.InvariantCulture)}");
        }

        if (m.GidOwner is { } gid)
        {
            parts.Add($"meta skgid {(gid.Negated ? "!= " : "")}{gid.Value.ToString(CultureInfo.InvariantCulture)}");
        }

        if (m.Mark is { } mark)
        {
            parts.Add($"meta mark {(mark.Negated ? "!= " : "")}0x{mark.Value:x8}");
        }

        if (m.State != ConnState.None)
        {
            parts.Add("ct state " + States(m.State));
        }

        parts.Add(Counter);
        parts.Add(Target(rule.Target));
        return string.Join(' ', parts);
    }

    private static void Address(List<string> parts, string selector, Negatable<IPNetwork>? address)
    {
        if (address is not { } a)
        {
            return;
        }

        var full = a.Value.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128;
        var text = a.Value.PrefixLength == full ? a.Value.BaseAddress.ToString() : a.Value.ToString();
        parts.Add($"{selector} {(a.Negated ? "!= " : "")}{text}");
    }

    // The order `nft list` prints ct states in.
    private static readonly ConnState[] PrintOrder = [ConnState.Invalid, ConnState.Established, ConnState.Related, ConnState.New];

    private static string States(ConnState state) => ConnStateText.Join(state, PrintOrder, upper: false);

    private static string Target(Target target) => target switch
    {
        JumpTarget j => "jump " + j.Chain,
        ReturnTarget => "return",
        AcceptTarget => "accept",
        DropTarget => "drop",
        RedirectTarget r => $"redirect to :{r.Port}",
        MarkTarget k => $"meta mark set 0x{k.Mark:x8}",
        TproxyTarget t => $"meta mark set 0x{t.Mark:x8} tproxy to :{t.Port}",
        _ => throw new ArgumentOutOfRangeException(nameof(target), target, "no nftables form for this target"),
    };
}
