namespace Waylay.Diagnostics.Explain;

/// <summary>How a step's observations read: confirmed, different, or an endpoint kube-proxy did not pick.</summary>
internal static class PathOutcome
{
    private const string Inbound = "PREROUTING";

    /// <summary>A peer's inbound step that saw nothing while another peer's saw everything: the connection went there.</summary>
    public static bool NotPicked(PathStep step, IReadOnlyList<PathStep> steps) =>
        step.Where.EndsWith(Inbound, StringComparison.Ordinal) && step.Observed.Count > 0 && step.Observed.All(o => !o.Seen)
        && steps.Any(s => s.Where.EndsWith(Inbound, StringComparison.Ordinal) && s.Observed.Count > 0 && s.Observed.All(o => o.Seen));

    public static bool Differs(PathStep step, IReadOnlyList<PathStep> steps) =>
        step.Observed.Any(o => !o.Seen) && !NotPicked(step, steps);

    public static int Mismatches(IReadOnlyList<PathStep> steps) => steps.Count(s => Differs(s, steps));
}
