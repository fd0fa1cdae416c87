using Waylay.Capture.Options;
using Waylay.Capture.Plan;

namespace Waylay.Diagnostics.Rules;

internal enum DiffKind
{
    /// <summary>Planned and in the kernel, in the planned order.</summary>
    Same,

    /// <summary>Planned but not in the kernel (deleted by hand, or never written).</summary>
    Missing,

    /// <summary>In the kernel but not planned: another agent's rule.</summary>
    Foreign,
}

/// <summary>One line of the comparison; <see cref="Drift"/> says whether it changes what the capture does.</summary>
internal sealed record DiffLine(DiffKind Kind, NetfilterTable Table, string Chain, string Text, string Why, bool Drift, IpFamily Family = IpFamily.V4)
{
    /// <summary>The table as the listing names it: "nat", "ip6 nat".</summary>
    public string Where => Family == IpFamily.V6 ? "ip6 " + Table.Name() : Table.Name();
}

/// <summary>
/// The plan against the kernel, family by family (iptables and ip6tables, or nft's ip and ip6 tables; the text
/// compared is the kernel tool's, see <see cref="KernelRuleset.TextOf"/>), chain by chain: Waylay's chains (the plan's and any of that name in the kernel) and
/// the built-in chains the plan jumps from. Lines are aligned by their longest common subsequence, so one deleted or
/// inserted rule shows as one line, not as everything after it. A foreign rule is drift in Waylay's own chains, and
/// in a built-in chain when it sits ahead of Waylay's jump (it sees, and may take, packets before the capture does);
/// behind the jump it only meets what the capture let through, and is shown but not counted.
/// </summary>
internal static class RuleDiff
{
    public static IReadOnlyList<DiffLine> Compare(RulePlan plan, KernelRuleset kernel)
    {
        var lines = new List<DiffLine>();
        foreach (var family in plan.Families)
        {
            foreach (var table in new[] { NetfilterTable.Mangle, NetfilterTable.Nat })
            {
                lines.AddRange(Compare(family, table, kernel));
            }
        }

        return lines;
    }

    private static IEnumerable<DiffLine> Compare(FamilyPlan family, NetfilterTable table, KernelRuleset kernel)
    {
        var planned = family.In(table).ToList();
        var chains = planned.Select(r => r.Chain)
            .Concat(kernel.Rules.Where(r => KernelRuleset.InPlannedTable(r, family.Family, table) && ChainNames.Owned.Contains(r.Chain)).Select(r => r.Chain))
            .Distinct(StringComparer.Ordinal)
            .OrderBy(c => KernelOrder(kernel, family.Family, table, c)) // read as the kernel lists them; a chain gone entirely last
            .ToList();
        foreach (var chain in chains)
        {
            var want = planned.Where(r => r.Chain == chain).Select(r => (Text: kernel.TextOf(r, family.Family), r.Reason)).ToList();
            var have = kernel.In(table, chain, family.Family).Select(r => r.Text).ToList();
            foreach (var line in Align(table, chain, want, have))
            {
                yield return line with { Family = family.Family };
            }
        }
    }

    private static int KernelOrder(KernelRuleset kernel, IpFamily family, NetfilterTable table, string chain)
    {
        var index = kernel.Rules.ToList().FindIndex(r => KernelRuleset.InPlannedTable(r, family, table) && r.Chain == chain);
        return index < 0 ? int.MaxValue : index;
    }

    public static bool HasDrift(IReadOnlyList<DiffLine> lines) => lines.Any(l => l.Drift);

    private static IEnumerable<DiffLine> Align(NetfilterTable table, string chain, List<(string Text, string Reason)> want, List<string> have)
    {
        // lcs[i, j]: the longest common subsequence of want[i..] and have[j..].
        var lcs = new int[want.Count + 1, have.Count + 1];
        for (var i = want.Count - 1; i >= 0; i--)
        {
            for (var j = have.Count - 1; j >= 0; j--)
            {
                lcs[i, j] = want[i].Text == have[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            }
        }

        var owned = ChainNames.Owned.Contains(chain);
        var seenOurs = false;
        int a = 0, b = 0;
        while (a < want.Count || b < have.Count)
        {
            if (a < want.Count && b < have.Count && want[a].Text == have[b])
            {
                seenOurs = true;
                yield return new DiffLine(DiffKind.Same, table, chain, have[b], want[a].Reason, false);
                a++;
                b++;
            }
            else if (b < have.Count && (a == want.Count || lcs[a, b + 1] >= lcs[a + 1, b]))
            {
                var ahead = !seenOurs && want.Count > 0;
                var why = owned ? "not Waylay's, inside Waylay's own chain"
                    : ahead ? "not Waylay's, ahead of Waylay's rules: it meets every packet before the capture does"
                    : "not Waylay's, behind Waylay's rules (it sees only what the capture let through)";
                yield return new DiffLine(DiffKind.Foreign, table, chain, have[b], why, owned || ahead);
                b++;
            }
            else
            {
                seenOurs = true;
                yield return new DiffLine(DiffKind.Missing, table, chain, want[a].Text, want[a].Reason, true);
                a++;
            }
        }
    }
}
