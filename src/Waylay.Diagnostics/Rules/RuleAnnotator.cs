using Waylay.Capture.Plan;

namespace Waylay.Diagnostics.Rules;

/// <summary>
/// Puts words on the kernel's rules: each is matched with the plan rule that renders to the same text (as
/// <c>iptables-save</c> or, for native nftables, <c>nft list</c> prints it) in the same family, table and chain (the
/// first not yet taken, so a duplicate inserted by someone else stays unmatched), and carries that rule's reason.
/// </summary>
internal static class RuleAnnotator
{
    public static IReadOnlyList<AnnotatedRule> Annotate(KernelRuleset kernel, RulePlan? plan)
    {
        var unused = plan?.Families
            .SelectMany(f => f.Rules.Select(r => (Rule: r, f.Family, Text: kernel.TextOf(r, f.Family))))
            .ToList() ?? [];
        var annotated = new List<AnnotatedRule>();
        foreach (var rule in kernel.Rules)
        {
            var match = unused.FindIndex(p => KernelRuleset.InPlannedTable(rule, p.Family, p.Rule.Table) && p.Rule.Chain == rule.Chain && p.Text == rule.Text);
            if (match < 0)
            {
                annotated.Add(new AnnotatedRule(rule, null));
                continue;
            }

            annotated.Add(new AnnotatedRule(rule, unused[match].Rule));
            unused.RemoveAt(match);
        }

        return annotated;
    }
}
