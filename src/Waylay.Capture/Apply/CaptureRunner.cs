using Waylay.Capture.Options;
using Waylay.Capture.Plan;

namespace Waylay.Capture.Apply;

/// <summary>What an apply did, for the CLI to print.</summary>
public sealed record CaptureOutcome(string Backend, string BackendReason, IReadOnlyList<string> VerifyProblems);

/// <summary>
/// Applies, verifies and cleans up a plan in one namespace: the library entry point behind `waylay capture` (and the
/// node runtime, which runs the same code in each pod's init container). Every pod start waits for it, so it starts
/// as few processes as it can: one survey of the tables (<see cref="RulesetSurvey"/>), then per backend one read of
/// what is there (none where the survey shows nothing) and one transaction. On an empty namespace the transaction is
/// the only process it starts.
/// </summary>
public sealed class CaptureRunner(NetworkNamespace netns)
{
    public async Task<CaptureOutcome> ApplyAsync(RulePlan plan, bool verify, CancellationToken cancellationToken)
    {
        NetAdminCapability.RequireForThisProcess();
        var survey = await RulesetSurvey.TakeAsync(netns, cancellationToken);
        var choice = BackendSelector.Select(plan.Options.Backend, netns, survey);

        var routing = new PolicyRouting(netns);
        await routing.AddAsync(plan, cancellationToken);
        await choice.Backend.ApplyAsync(plan, cancellationToken);

        // Only once the new rules are in (a failed apply must leave the old ones working): rules of another backend
        // would run beside them and fight them, and a family the plan no longer covers (an earlier run had --ipv6,
        // this one has not) must lose its rules too. Until these lines run, the first nat rule to see a connection
        // wins, so traffic is captured once either way. The survey predates the apply, so it still describes the
        // other backends (and the chosen one's dropped families) as they are.
        foreach (var other in BackendSelector.All(netns, survey).Where(b => b.Name != choice.Backend.Name))
        {
            if (await other.HasWaylayRulesAsync([IpFamily.V4, IpFamily.V6], cancellationToken))
            {
                await other.CleanupAsync([IpFamily.V4, IpFamily.V6], cancellationToken);
            }
        }

        var dropped = new[] { IpFamily.V4, IpFamily.V6 }.Except(plan.Families.Select(f => f.Family)).ToList();
        if (dropped.Count > 0)
        {
            await choice.Backend.CleanupAsync(dropped, cancellationToken);
        }

        await routing.RemoveStaleAsync(plan, survey, cancellationToken);

        var problems = verify ? await choice.Backend.VerifyAsync(plan, cancellationToken) : [];
        return new CaptureOutcome(choice.Backend.Name, choice.Reason, problems);
    }

    /// <summary>Removes Waylay's chains, jumps, tables and policy routes from every backend; returns what it removed from.</summary>
    public async Task<IReadOnlyList<string>> CleanupAsync(CaptureOptions options, CancellationToken cancellationToken)
    {
        var survey = await RulesetSurvey.TakeAsync(netns, cancellationToken);
        var removed = new List<string>();
        foreach (var backend in BackendSelector.All(netns, survey))
        {
            if (await backend.CleanupAsync([IpFamily.V4, IpFamily.V6], cancellationToken))
            {
                removed.Add(backend.Name);
            }
        }

        if (await new PolicyRouting(netns).CleanupAsync(options, cancellationToken))
        {
            removed.Add("policy routing");
        }

        return removed;
    }
}
