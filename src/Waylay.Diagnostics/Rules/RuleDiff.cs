using Waylay.Capture.Options;
using Waylay.Capture.Plan;
using Waylay.Capture.Render;

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
internal sealed record DiffLine(DiffKind Kind, NetfilterTable Table, string Chain, string Text, string Why, bool Drift);

/// <summary>
/// The plan against the kernel, chain by chain: Waylay's chains (the plan's and any of that name in the kernel) and
/// the built-in chains the plan jumps from. Lines are aligned by their longest common subsequence, so one deleted or
/// inserted rule shows as one line, not as everything after it. A foreign rule is drift in Waylay's own chains, and
/// in a built-in chain when it sits ahead of Waylay's jump (it sees, and may take, packets before the capture does);
/// behind the jump it only meets what the capture let through, and is shown but not counted.
/// </summary>
internal static class RuleDiff
{
    public static IReadOnlyList<DiffLine> Compare(RulePlan plan, KernelRuleset kernel)
    {
        var family = plan.For(IpFamily.V4)!;
        var lines = new List<DiffLine>();
        foreach (var table in new[] { NetfilterTable.Mangle, NetfilterTable.Nat })
        {
            var planned = family.In(table).ToList();
            var chains = planned.Select(r => r.Chain)
                .Concat(kernel.Rules.Where(r => r.Table == table && ChainNames.Owned.Contains(r.Chain)).Select(r => r.Chain))
                .Distinct(StringComparer.Ordinal)
                .OrderBy(c => KernelOrder(kernel, table, c)) // read as iptables-save lists them; a chain gone entirely last
                .ToList();
            foreach (var chain in chains)
            {
                var want = planned.Where(r => r.Chain == chain).Select(r => (Text: IptablesRuleText.Render(r, family.Family), r.Reason)).ToList();
                var have = kernel.In(table, chain).Select(r => r.Text).ToList();
                lines.AddRange(Align(table, chain, want, have));
            }
        }

        return lines;
    }

    private static int KernelOrder(KernelRuleset kernel, NetfilterTable table, string chain)
    {
        var index = kernel.Rules.ToList().FindIndex(r => r.Table == table && r.Chain == chain);
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
