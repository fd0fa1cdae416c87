using Waylay.Capture.Options;

namespace Waylay.Capture.Plan;

/// <summary>Everything `waylay capture` writes, as data: rendered per backend, walked by explain, compared by verify.</summary>
public sealed record RulePlan(CaptureOptions Options, IReadOnlyList<FamilyPlan> Families, IReadOnlyList<PolicyRoute> Routes)
{
    public FamilyPlan? For(IpFamily family) => Families.FirstOrDefault(f => f.Family == family);
}
