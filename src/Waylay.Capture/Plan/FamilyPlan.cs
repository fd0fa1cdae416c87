using Waylay.Capture.Options;

namespace Waylay.Capture.Plan;

/// <summary>The rules of one address family (iptables or ip6tables), in the order they are appended.</summary>
public sealed record FamilyPlan(IpFamily Family, IReadOnlyList<Rule> Rules)
{
    public IEnumerable<NetfilterTable> Tables => Rules.Select(r => r.Table).Distinct().Order();

    public IEnumerable<Rule> In(NetfilterTable table) => Rules.Where(r => r.Table == table);

    public IEnumerable<Rule> In(NetfilterTable table, string chain) => Rules.Where(r => r.Table == table && r.Chain == chain);

    /// <summary>Waylay's own chains in a table, in first-use order.</summary>
    public IEnumerable<string> OwnedChains(NetfilterTable table) =>
        In(table).SelectMany(r => r.Target is JumpTarget j ? [r.Chain, j.Chain] : new[] { r.Chain })
            .Where(ChainNames.Owned.Contains).Distinct();
}
