using Waylay.Capture.Options;
using Waylay.Capture.Plan;

namespace Waylay.Diagnostics.Rules;

/// <summary>
/// One rule as the kernel holds it right now: where it sits (family, table, chain, its number as <c>iptables -L
/// --line-numbers</c> counts), its text as <c>iptables-save</c> (or, for native nftables, <c>nft list</c> without the
/// counter's values) prints it, and its counters. <see cref="NftTable"/> names the nftables table ("waylay-nat") of a
/// native nft rule, whose <see cref="Table"/> is the iptables table it stands for; null for iptables rules.
/// </summary>
internal sealed record KernelRule(NetfilterTable Table, string Chain, int Number, string Text, ulong Packets, ulong Bytes,
    IpFamily Family = IpFamily.V4, string? NftTable = null)
{
    /// <summary>The rule without its chain ("-p tcp -j ISTIO_INBOUND"), as a table shows it under the chain's name.</summary>
    public string Body => NftTable is not null ? Text : Text.Split(' ', 3) is [_, _, var body] ? body : Text;

    /// <summary>The table as a listing names it: "nat", "ip6 nat", "ip waylay-nat".</summary>
    public string Where => NftTable is { } nft ? $"{(Family == IpFamily.V4 ? "ip" : "ip6")} {nft}" : Family == IpFamily.V6 ? "ip6 " + Table.Name() : Table.Name();

    public string Key => $"{Where} {Chain} #{Number}";
}

/// <summary>A chain's header line: its policy and the policy's counters (built-in chains), or "-" for user chains.</summary>
internal sealed record KernelChain(NetfilterTable Table, string Name, string Policy, ulong Packets, ulong Bytes, IpFamily Family = IpFamily.V4);
