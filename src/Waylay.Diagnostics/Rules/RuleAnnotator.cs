using Waylay.Capture.Options;
using Waylay.Capture.Plan;
using Waylay.Capture.Render;

namespace Waylay.Diagnostics.Rules;

/// <summary>
/// Puts words on the kernel's rules: each is matched with the plan rule that renders to the same
/// <c>iptables-save</c> text in the same table and chain (the first not yet taken, so a duplicate inserted by someone
/// else stays unmatched), and carries that rule's reason.
/// </summary>
internal static class RuleAnnotator
{
    public static IReadOnlyList<AnnotatedRule> Annotate(KernelRuleset kernel, RulePlan? plan)
    {
        var family = plan?.For(IpFamily.V4);
        var unused = family?.Rules
            .Select(r => (Rule: r, Text: IptablesRuleText.Render(r, family.Family)))
            .ToList() ?? [];
        var annotated = new List<AnnotatedRule>();
        foreach (var rule in kernel.Rules)
        {
            var match = unused.FindIndex(p => p.Rule.Table == rule.Table && p.Text == rule.Text);
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
