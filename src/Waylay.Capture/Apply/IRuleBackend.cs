using Waylay.Capture.Options;
using Waylay.Capture.Plan;

namespace Waylay.Capture.Apply;

/// <summary>A netfilter front end: iptables (legacy or nft flavour) or native nftables.</summary>
public interface IRuleBackend
{
    /// <summary>What the user sees: "iptables-nft", "iptables-legacy", "nft".</summary>
    string Name { get; }

    /// <summary>The script this backend would run for the plan in an empty namespace.</summary>
    string Render(RulePlan plan);

    /// <summary>Whether any of Waylay's rules are present through this backend.</summary>
    Task<bool> HasWaylayRulesAsync(IEnumerable<IpFamily> families, CancellationToken cancellationToken);

    /// <summary>Applies the plan atomically per family; on failure the previous rules are put back.</summary>
    Task ApplyAsync(RulePlan plan, CancellationToken cancellationToken);

    /// <summary>Reads the rules back; every difference from the plan, as lines a human can read (none = verified).</summary>
    Task<IReadOnlyList<string>> VerifyAsync(RulePlan plan, CancellationToken cancellationToken);

    /// <summary>Removes Waylay's chains and the jumps into them; nothing else.</summary>
    Task<bool> CleanupAsync(IEnumerable<IpFamily> families, CancellationToken cancellationToken);
}
