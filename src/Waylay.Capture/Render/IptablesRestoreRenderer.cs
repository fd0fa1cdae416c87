using System.Text;
using Waylay.Capture.Plan;

namespace Waylay.Capture.Render;

/// <summary>
/// Renders one `iptables-restore --noflush` transaction that moves Waylay's part of each table from what it is now to
/// what it should be: declare (and so flush) the owned chains, swap the built-in jumps only when they differ (so
/// re-running changes nothing), append the rules, and remove owned chains no longer wanted. Nothing else in the table
/// is touched.
/// </summary>
public static class IptablesRestoreRenderer
{
    /// <summary>The script for an empty namespace: what --dry-run prints and the golden files hold.</summary>
    public static string Render(FamilyPlan plan) => Render(plan, _ => null);

    public static string Render(FamilyPlan plan, Func<NetfilterTable, IptablesState?> current) =>
        Transition(current, table => DesiredOf(plan, table));

    /// <summary>The transaction that puts back a state read earlier (the rollback of a failed apply).</summary>
    public static string Restore(IReadOnlyList<IptablesState> previous, Func<NetfilterTable, IptablesState?> current) =>
        Transition(current, table =>
        {
            var state = previous.FirstOrDefault(s => s.Table == table) ?? IptablesState.Empty(table);
            return new Desired(state.OwnedChains, state.Lines.Select(l => (l, (string?)null)).ToList());
        });

    /// <summary>The transaction that removes every trace of Waylay from the given tables.</summary>
    public static string RenderCleanup(IReadOnlyList<IptablesState> states) =>
        Transition(table => states.FirstOrDefault(s => s.Table == table), _ => new Desired([], []));

    public static IReadOnlyList<string> ExpectedLines(FamilyPlan plan, NetfilterTable table) =>
        plan.In(table).Select(r => IptablesRuleText.Render(r, plan.Family)).ToList();

    private sealed record Desired(IReadOnlyList<string> Chains, IReadOnlyList<(string Line, string? Comment)> Lines);

    private static Desired DesiredOf(FamilyPlan plan, NetfilterTable table) =>
        new(plan.OwnedChains(table).ToList(),
            plan.In(table).Select(r => (IptablesRuleText.Render(r, plan.Family), (string?)r.Reason)).ToList());

    private static string Transition(Func<NetfilterTable, IptablesState?> current, Func<NetfilterTable, Desired> desired)
    {
        var s = new StringBuilder();
        foreach (var table in Enum.GetValues<NetfilterTable>())
        {
            var state = current(table) ?? IptablesState.Empty(table);
            var want = desired(table);
            if (want.Lines.Count == 0 && want.Chains.Count == 0 && state.OwnedChains.Count == 0 && !state.Jumps.Any())
            {
                continue;
            }

            s.Append('*').Append(table.Name()).Append('\n');
            foreach (var chain in want.Chains)
            {
                s.Append(':').Append(chain).Append(" - [0:0]\n");
            }

            var wantedJumps = want.Lines.Where(l => ChainNames.IsBuiltIn(IptablesState.ChainOf(l.Line))).Select(l => l.Line).ToList();
            var keepJumps = state.Jumps.SequenceEqual(wantedJumps);
            if (!keepJumps)
            {
                foreach (var jump in state.Jumps)
                {
                    s.Append("-D").Append(jump[2..]).Append('\n');
                }
            }

            foreach (var (line, comment) in want.Lines)
            {
                if (keepJumps && ChainNames.IsBuiltIn(IptablesState.ChainOf(line)))
                {
                    continue;
                }

                if (comment is not null)
                {
                    s.Append("# ").Append(comment).Append('\n');
                }

                s.Append(line).Append('\n');
            }

            // Owned chains the target does not use: nothing jumps to them once the lines above are committed, so
            // they go in the same transaction.
            var stale = state.OwnedChains.Where(c => !want.Chains.Contains(c)).ToList();
            foreach (var chain in stale)
            {
                s.Append("-F ").Append(chain).Append('\n');
            }

            foreach (var chain in stale)
            {
                s.Append("-X ").Append(chain).Append('\n');
            }

            s.Append("COMMIT\n");
        }

        return s.ToString();
    }
}
