using Waylay.Capture.Options;
using Waylay.Capture.Plan;
using Waylay.Capture.Render;

namespace Waylay.Capture.Apply;

/// <summary>
/// iptables through iptables-restore: one --noflush transaction per family, holding the xtables lock (-w) so a
/// concurrent writer (kube-proxy, a CNI) waits instead of interleaving. What is there before a change is read once per
/// family with one iptables-save, and not at all when the <see cref="RulesetSurvey"/> shows the family has no tables.
/// </summary>
/// <param name="flavour">"iptables", "iptables-legacy" or "iptables-nft": the binary name's stem.</param>
public sealed class IptablesBackend(string flavour, NetworkNamespace netns, RulesetSurvey survey) : IRuleBackend
{
    private static readonly string[] Wait = ["-w", "10"];

    public string Name => flavour;

    public string Render(RulePlan plan) => string.Concat(plan.Families.Select(f =>
        $"# {Tool(f.Family, "restore")} --noflush\n" + IptablesRestoreRenderer.Render(f)));

    public async Task<bool> HasWaylayRulesAsync(IEnumerable<IpFamily> families, CancellationToken cancellationToken)
    {
        foreach (var family in families)
        {
            foreach (var state in await ReadAsync(family, fresh: false, cancellationToken))
            {
                if (state.OwnedChains.Count > 0 || state.Lines.Count > 0)
                {
                    return true;
                }
            }
        }

        return false;
    }

    public async Task ApplyAsync(RulePlan plan, CancellationToken cancellationToken)
    {
        var applied = new List<(IpFamily Family, IReadOnlyList<IptablesState> Before)>();
        foreach (var family in plan.Families)
        {
            var before = await ReadAsync(family.Family, fresh: false, cancellationToken);
            applied.Add((family.Family, before));
            var script = IptablesRestoreRenderer.Render(family, t => before.FirstOrDefault(s => s.Table == t));
            var result = await RestoreAsync(family.Family, script, cancellationToken);
            if (!result.Succeeded)
            {
                var rollback = await RollbackAsync(applied, cancellationToken);
                throw new CaptureException(
                    $"{Tool(family.Family, "restore")} refused the rules: {result.Diagnostic}\n{rollback}");
            }
        }
    }

    public async Task<IReadOnlyList<string>> VerifyAsync(RulePlan plan, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        foreach (var family in plan.Families)
        {
            var states = await ReadAsync(family.Family, fresh: true, cancellationToken);
            foreach (var table in Enum.GetValues<NetfilterTable>())
            {
                var state = states.FirstOrDefault(s => s.Table == table) ?? IptablesState.Empty(table);
                var expected = IptablesRestoreRenderer.ExpectedLines(family, table);
                foreach (var chain in expected.Select(IptablesState.ChainOf).Distinct())
                {
                    var want = expected.Where(l => IptablesState.ChainOf(l) == chain).ToList();
                    var have = state.RulesOf(chain).ToList();
                    if (!want.SequenceEqual(have))
                    {
                        problems.Add($"{Tool(family.Family, "save")} -t {table.Name()} {chain}: expected\n    {string.Join("\n    ", want)}\n  found\n    {string.Join("\n    ", have.DefaultIfEmpty("(nothing)"))}");
                    }
                }

                foreach (var extra in state.OwnedChains.Except(family.OwnedChains(table)))
                {
                    problems.Add($"{Tool(family.Family, "save")} -t {table.Name()}: chain {extra} should not exist");
                }
            }
        }

        return problems;
    }

    public async Task<bool> CleanupAsync(IEnumerable<IpFamily> families, CancellationToken cancellationToken)
    {
        var removed = false;
        foreach (var family in families)
        {
            var states = await ReadAsync(family, fresh: false, cancellationToken);
            var script = IptablesRestoreRenderer.RenderCleanup(states);
            if (script.Length == 0)
            {
                continue;
            }

            var result = await RestoreAsync(family, script, cancellationToken);
            if (!result.Succeeded)
            {
                throw new CaptureException($"{Tool(family, "restore")} could not remove Waylay's rules: {result.Diagnostic}");
            }

            removed = true;
        }

        return removed;
    }

    private async Task<string> RollbackAsync(List<(IpFamily Family, IReadOnlyList<IptablesState> Before)> applied, CancellationToken cancellationToken)
    {
        var notes = new List<string>();
        foreach (var (family, before) in applied)
        {
            var now = await ReadAsync(family, fresh: true, cancellationToken);
            var script = IptablesRestoreRenderer.Restore(before, t => now.FirstOrDefault(s => s.Table == t));
            var result = await RestoreAsync(family, script, cancellationToken);
            notes.Add(result.Succeeded
                ? $"{Tool(family, "restore")}: the previous rules were put back"
                : $"{Tool(family, "restore")}: putting the previous rules back failed too: {result.Diagnostic}; run 'waylay capture --cleanup' and apply again");
        }

        return string.Join('\n', notes);
    }

    private Task<Linux.ExecResult> RestoreAsync(IpFamily family, string script, CancellationToken cancellationToken) =>
        netns.RunAsync(Tool(family, "restore"), [.. Wait, "--noflush"], script, cancellationToken);

    /// <param name="fresh">Read the kernel even where the survey says there is nothing (after this run changed it).</param>
    private async Task<IReadOnlyList<IptablesState>> ReadAsync(IpFamily family, bool fresh, CancellationToken cancellationToken)
    {
        if (!await MayHoldRulesAsync(family, fresh, cancellationToken))
        {
            return [.. Enum.GetValues<NetfilterTable>().Select(IptablesState.Empty)];
        }

        // One save for every table: without -t, the legacy tool lists only the tables already loaded (creating none),
        // and each process start costs more than the listing.
        var result = await netns.RunAsync(Tool(family, "save"), [], null, cancellationToken);
        if (result.ExitCode == 127)
        {
            throw new CaptureException($"{Tool(family, "save")} is not installed; install the iptables package (apt-get install iptables) or use --backend nft");
        }

        if (!result.Succeeded)
        {
            throw new CaptureException($"{Tool(family, "save")} could not read the current rules: {result.Diagnostic}");
        }

        return [.. Enum.GetValues<NetfilterTable>().Select(t => IptablesState.Parse(t, result.StandardOutput))];
    }

    /// <summary>
    /// Whether a save could find anything. Legacy: only tables the kernel has loaded are listed, and listing one with
    /// iptables-legacy-save would create it (and make iptables-nft warn about a mixed ruleset), so an empty
    /// /proc/net/ip_tables_names means nothing to read. nf_tables: the survey's table list.
    /// </summary>
    private async Task<bool> MayHoldRulesAsync(IpFamily family, bool fresh, CancellationToken cancellationToken)
    {
        if (flavour == "iptables-legacy")
        {
            if (!fresh && survey.LegacyKnown)
            {
                return survey.Legacy(family).Count > 0;
            }

            var names = await netns.ReadProcNetAsync(family == IpFamily.V4 ? "ip_tables_names" : "ip6_tables_names", cancellationToken);
            return !string.IsNullOrWhiteSpace(names);
        }

        return fresh || flavour != "iptables-nft" || survey.MayHoldIptablesNft(family);
    }

    private string Tool(IpFamily family, string verb) =>
        (family == IpFamily.V4 ? flavour : "ip6" + flavour[2..]) + "-" + verb;
}
