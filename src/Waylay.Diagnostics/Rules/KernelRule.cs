using Waylay.Capture.Plan;

namespace Waylay.Diagnostics.Rules;

/// <summary>
/// One rule as the kernel holds it right now: where it sits (table, chain, its number as <c>iptables -L
/// --line-numbers</c> counts), its text as <c>iptables-save</c> prints it, and its counters.
/// </summary>
internal sealed record KernelRule(NetfilterTable Table, string Chain, int Number, string Text, ulong Packets, ulong Bytes)
{
    /// <summary>The rule without its chain ("-p tcp -j ISTIO_INBOUND"), as a table shows it under the chain's name.</summary>
    public string Body => Text.Split(' ', 3) is [_, _, var body] ? body : Text;

    public string Key => $"{Table.Name()} {Chain} #{Number}";
}

/// <summary>A chain's header line: its policy and the policy's counters (built-in chains), or "-" for user chains.</summary>
internal sealed record KernelChain(NetfilterTable Table, string Name, string Policy, ulong Packets, ulong Bytes);
