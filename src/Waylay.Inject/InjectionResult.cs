using System.Text.Json.Nodes;

namespace Waylay.Inject;

/// <summary>
/// The injector's answer for one pod: the decision, its reason, the pod (a new tree: injected, or the input
/// unchanged when skipped or rejected) and warnings for the user.
/// </summary>
internal sealed record InjectionResult(InjectionDecision Decision, string Reason, JsonObject Pod, IReadOnlyList<string> Warnings)
{
    public bool Changed => Decision is InjectionDecision.Injected or InjectionDecision.Reinjected;
}
