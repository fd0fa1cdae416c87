using Waylay.Capture.Plan;

namespace Waylay.Diagnostics.Rules;

/// <summary>A kernel rule and the plan rule it is (whose <see cref="Rule.Reason"/> says why it exists), or null: not Waylay's.</summary>
internal sealed record AnnotatedRule(KernelRule Kernel, Rule? Planned)
{
    public const string Foreign = "not Waylay's";

    public string Reason => Planned?.Reason ?? Foreign;
}
