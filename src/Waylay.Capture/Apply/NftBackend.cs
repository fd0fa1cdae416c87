using Waylay.Capture.Options;
using Waylay.Capture.Plan;
using Waylay.Capture.Render;

namespace Waylay.Capture.Apply;

/// <summary>
/// Native nftables: every family's tables in one `nft -f` transaction, so an apply either lands whole or not at all,
/// and the previous tables stay as they were when it fails.
/// </summary>
public sealed class NftBackend(NetworkNamespace netns, RulesetSurvey survey) : IRuleBackend
{
    public string Name => "nft";

    public string Render(RulePlan plan) => string.Concat(plan.Families.Select(NftScriptRenderer.Render));

    /// <summary>Answered from the survey's table list (taken before this run changed anything) when it has one.</summary>
    public async Task<bool> HasWaylayRulesAsync(IEnumerable<IpFamily> families, CancellationToken cancellationToken)
    {
        if (survey.NftTables is not null)
        {
            return families.Any(f => survey.HasWaylayNft(f) == true);
        }

        var result = await netns.RunAsync("nft", ["list", "tables"], null, cancellationToken);
        return result.Succeeded && families.Any(f => result.StandardOutput.Contains(
            $"table {NftScriptRenderer.FamilyName(f)} {NftScriptRenderer.TablePrefix}", StringComparison.Ordinal));
    }

    public async Task ApplyAsync(RulePlan plan, CancellationToken cancellationToken)
    {
        // Tables the new plan no longer uses (mangle after switching TPROXY off) go in the same transaction.
        var script = NftScriptRenderer.RenderCleanup(plan.Families.Select(f => f.Family)) + Render(plan);
        var result = await RunScriptAsync(script, cancellationToken);
        if (!result.Succeeded)
        {
            throw new CaptureException($"nft refused the rules (nothing was changed): {result.Diagnostic}");
        }
    }

    public async Task<IReadOnlyList<string>> VerifyAsync(RulePlan plan, CancellationToken cancellationToken)
    {
        var listed = await netns.RunAsync("nft", ["list", "ruleset"], null, cancellationToken);
        if (!listed.Succeeded)
        {
            return [$"nft list ruleset failed: {listed.Diagnostic}"];
        }

        var tables = NftListing.Parse(listed.StandardOutput);
        var problems = new List<string>();
        foreach (var family in plan.Families)
        {
            foreach (var table in Enum.GetValues<NetfilterTable>())
            {
                var name = $"{NftScriptRenderer.FamilyName(family.Family)} {NftScriptRenderer.TableName(table)}";
                var rules = family.In(table).ToList();
                var present = tables.TryGetValue(name, out var chains);
                if (rules.Count == 0)
                {
                    if (present)
                    {
                        problems.Add($"table {name} should not exist");
                    }

                    continue;
                }

                if (chains is null)
                {
                    problems.Add($"table {name} is missing");
                    continue;
                }

                foreach (var chain in rules.Select(r => r.Chain).Concat(family.OwnedChains(table)).Distinct())
                {
                    var want = rules.Where(r => r.Chain == chain).Select(r => NftRuleText.Render(r, family.Family)).ToList();
                    var have = chains.TryGetValue(chain, out var lines) ? lines : [];
                    if (!want.SequenceEqual(have))
                    {
                        problems.Add($"nft {name} chain {chain}: expected\n    {string.Join("\n    ", want)}\n  found\n    {string.Join("\n    ", have.DefaultIfEmpty("(nothing)"))}");
                    }
                }
            }
        }

        return problems;
    }

    public async Task<bool> CleanupAsync(IEnumerable<IpFamily> families, CancellationToken cancellationToken)
    {
        var list = families.ToList();
        if (!await HasWaylayRulesAsync(list, cancellationToken))
        {
            return false;
        }

        var result = await RunScriptAsync(NftScriptRenderer.RenderCleanup(list), cancellationToken);
        if (!result.Succeeded)
        {
            throw new CaptureException($"nft could not remove Waylay's tables: {result.Diagnostic}");
        }

        return true;
    }

    private async Task<Linux.ExecResult> RunScriptAsync(string script, CancellationToken cancellationToken)
    {
        var result = await netns.RunAsync("nft", ["-f", "-"], script, cancellationToken);
        if (result.ExitCode == 127)
        {
            throw new CaptureException("nft is not installed; install the nftables package (apt-get install nftables) or use --backend iptables");
        }

        return result;
    }
}
