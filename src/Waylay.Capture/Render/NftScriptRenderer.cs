using System.Text;
using Waylay.Capture.Options;
using Waylay.Capture.Plan;

namespace Waylay.Capture.Render;

/// <summary>
/// Renders a family's plan as native nftables: one table per (family, iptables table), e.g. <c>ip waylay-nat</c>, whose
/// base chains carry the iptables names so explain and the listings read alike. The script is "add table; delete
/// table; table { … }" in one `nft -f` transaction: atomic, and re-running it leaves exactly the same ruleset.
/// </summary>
public static class NftScriptRenderer
{
    public const string TablePrefix = "waylay-";

    public static string TableName(NetfilterTable table) => TablePrefix + table.Name();

    public static string FamilyName(IpFamily family) => family == IpFamily.V4 ? "ip" : "ip6";

    public static string Render(FamilyPlan plan)
    {
        var s = new StringBuilder();
        var family = FamilyName(plan.Family);
        foreach (var table in plan.Tables)
        {
            var name = TableName(table);
            s.Append($"add table {family} {name}\n");
            s.Append($"delete table {family} {name}\n");
            s.Append($"table {family} {name} {{\n");
            var rules = plan.In(table).ToList();
            foreach (var chain in rules.Select(r => r.Chain).Concat(plan.OwnedChains(table)).Distinct())
            {
                s.Append($"\tchain {chain} {{\n");
                if (BaseChain(table, chain) is { } hook)
                {
                    s.Append("\t\t").Append(hook).Append('\n');
                }

                foreach (var rule in rules.Where(r => r.Chain == chain))
                {
                    s.Append("\t\t# ").Append(rule.Reason).Append('\n');
                    s.Append("\t\t").Append(NftRuleText.Render(rule, plan.Family)).Append('\n');
                }

                s.Append("\t}\n");
            }

            s.Append("}\n");
        }

        return s.ToString();
    }

    /// <summary>Removes Waylay's tables for these families; "add" first makes it a no-op where they do not exist.</summary>
    public static string RenderCleanup(IEnumerable<IpFamily> families)
    {
        var s = new StringBuilder();
        foreach (var family in families)
        {
            foreach (var table in Enum.GetValues<NetfilterTable>())
            {
                s.Append($"add table {FamilyName(family)} {TableName(table)}\n");
                s.Append($"delete table {FamilyName(family)} {TableName(table)}\n");
            }
        }

        return s.ToString();
    }

    /// <summary>The hook line of a base chain; the priorities match iptables' so both front ends order alike.</summary>
    public static string? BaseChain(NetfilterTable table, string chain) => (table, chain) switch
    {
        (NetfilterTable.Nat, ChainNames.Prerouting) => "type nat hook prerouting priority dstnat; policy accept;",
        (NetfilterTable.Nat, ChainNames.Output) => "type nat hook output priority -100; policy accept;",
        (NetfilterTable.Mangle, ChainNames.Prerouting) => "type filter hook prerouting priority mangle; policy accept;",
        (NetfilterTable.Mangle, ChainNames.Output) => "type route hook output priority mangle; policy accept;",
        _ => null,
    };
}
