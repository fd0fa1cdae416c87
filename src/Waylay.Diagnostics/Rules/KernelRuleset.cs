using System.Globalization;
using Waylay.Capture.Apply;
using Waylay.Capture.Options;
using Waylay.Capture.Plan;
using Waylay.Capture.Render;
using Waylay.Diagnostics.Pods;

namespace Waylay.Diagnostics.Rules;

/// <summary>
/// A pod's nat and mangle tables read from the kernel with their counters, every rule, Waylay's or not, both families.
/// With the iptables backends: <c>iptables-save -c</c> and <c>ip6tables-save -c</c> in the pod's namespace, each in the
/// flavour its family's rules live in: legacy x_tables when the namespace has that family's loaded (never created by
/// reading: the legacy save tool without -t lists only loaded tables), else nf_tables through the -nft tools. With the
/// native nft backend: the nftables listings (<see cref="NftKernelRules"/>), whose rules carry counter statements.
/// </summary>
internal sealed record KernelRuleset(string Tool, IReadOnlyList<KernelChain> Chains, IReadOnlyList<KernelRule> Rules)
{
    public const string NftTool = "nft";

    private static readonly NetfilterTable[] Tables = [NetfilterTable.Nat, NetfilterTable.Mangle];

    /// <summary>Runs a read-only tool in the namespace being read, failing with words that name the pod.</summary>
    public delegate Task<string> Reader(string tool, IReadOnlyList<string> arguments, CancellationToken cancellationToken);

    /// <summary>Whether the rules are native nftables (their text is nft's, not iptables-save's).</summary>
    public bool Nft => Tool == NftTool;

    /// <summary>What was run, as the header of <c>waylay rules</c> says it.</summary>
    public string Source => Nft ? "nft -j -a list ruleset (and nft -a list ruleset for the rules' text)" : $"{Tool} -c and ip6{Tool[2..]} -c";

    public static Task<KernelRuleset> ReadAsync(PodNetwork pod, PodCapture? capture, CancellationToken cancellationToken) =>
        ReadAsync(pod.Namespace, pod.RunAsync, capture?.Options.Backend, cancellationToken);

    /// <summary>
    /// Reads <paramref name="netns"/>'s rules: as native nftables when the capture says <c>--backend nft</c> or
    /// Waylay's nft tables are there (a capture not recorded, e.g. <c>waylay capture --netns</c> run by hand).
    /// </summary>
    public static async Task<KernelRuleset> ReadAsync(NetworkNamespace netns, Reader read, BackendKind? backend, CancellationToken cancellationToken)
    {
        if (backend == BackendKind.Nft || (await netns.RunAsync(NftTool, ["list", "tables"], null, cancellationToken)).StandardOutput.Contains(NftScriptRenderer.TablePrefix, StringComparison.Ordinal))
        {
            var json = await read(NftTool, ["-j", "-a", "list", "ruleset"], cancellationToken);
            var text = await read(NftTool, ["-a", "list", "ruleset"], cancellationToken);
            var (chains, rules) = NftKernelRules.Parse(json, text);
            return new KernelRuleset(NftTool, chains, rules);
        }

        var tool = await SaveToolAsync(netns, cancellationToken);
        var v4 = Parse(tool, await read(tool, ["-c"], cancellationToken));

        // A namespace without IPv6 (or without ip6tables) has no v6 rules to show, which is not a failure.
        var v6 = await netns.RunAsync(await SaveToolAsync(netns, cancellationToken, IpFamily.V6), ["-c"], null, cancellationToken);
        var six = v6.Succeeded ? Parse(tool, v6.StandardOutput, IpFamily.V6) : new KernelRuleset(tool, [], []);
        return new KernelRuleset(tool, [.. v4.Chains, .. six.Chains], [.. v4.Rules, .. six.Rules]);
    }

    /// <summary>The save tool of the flavour a namespace's rules of <paramref name="family"/> live in (reading with it creates no table).</summary>
    public static async Task<string> SaveToolAsync(NetworkNamespace netns, CancellationToken cancellationToken, IpFamily family = IpFamily.V4)
    {
        var (names, prefix) = family == IpFamily.V4 ? ("ip_tables_names", "iptables") : ("ip6_tables_names", "ip6tables");
        return string.IsNullOrWhiteSpace(await netns.ReadProcNetAsync(names, cancellationToken)) ? prefix + "-nft-save" : prefix + "-legacy-save";
    }

    /// <summary>A planned rule's text as this ruleset's tool prints it.</summary>
    public string TextOf(Rule rule, IpFamily family) => Nft ? NftRuleText.Render(rule, family) : IptablesRuleText.Render(rule, family);

    /// <summary>
    /// Whether a kernel rule sits where a plan rule of <paramref name="table"/> goes: the same family and table, and for
    /// native nft Waylay's own table (another agent's <c>ip nat</c> table is not where Waylay writes).
    /// </summary>
    public static bool InPlannedTable(KernelRule rule, IpFamily family, NetfilterTable table) =>
        rule.Family == family && rule.Table == table && (rule.NftTable is null || rule.NftTable == NftScriptRenderer.TableName(table));

    /// <summary>The kernel rule a planned rule is, when it is there.</summary>
    public KernelRule? Find(Rule planned, IpFamily family)
    {
        var text = TextOf(planned, family);
        return Rules.FirstOrDefault(r => InPlannedTable(r, family, planned.Table) && r.Chain == planned.Chain && r.Text == text);
    }

    /// <summary>Parses <c>iptables-save -c</c>: "*table", ":CHAIN POLICY [p:b]", "[p:b] -A CHAIN …".</summary>
    public static KernelRuleset Parse(string tool, string save, IpFamily family = IpFamily.V4)
    {
        var chains = new List<KernelChain>();
        var rules = new List<KernelRule>();
        NetfilterTable? table = null;
        var numbers = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var raw in save.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.StartsWith('*'))
            {
                table = Tables.Cast<NetfilterTable?>().FirstOrDefault(t => t!.Value.Name() == line[1..]);
                numbers.Clear();
            }
            else if (table is { } t && line.StartsWith(':'))
            {
                var parts = line[1..].Split(' ');
                var (p, b) = Counters(parts.Length > 2 ? parts[2] : "[0:0]");
                chains.Add(new KernelChain(t, parts[0], parts.Length > 1 ? parts[1] : "-", p, b, family));
            }
            else if (table is { } u && line.StartsWith('['))
            {
                var close = line.IndexOf(']');
                var (p, b) = Counters(line[..(close + 1)]);
                var text = line[(close + 2)..];
                var chain = IptablesState.ChainOf(text);
                numbers[chain] = numbers.GetValueOrDefault(chain) + 1;
                rules.Add(new KernelRule(u, chain, numbers[chain], text, p, b, family));
            }
        }

        return new KernelRuleset(tool, chains, rules);
    }

    public IEnumerable<KernelRule> In(NetfilterTable table, string chain, IpFamily family = IpFamily.V4) =>
        Rules.Where(r => InPlannedTable(r, family, table) && r.Chain == chain);

    private static (ulong Packets, ulong Bytes) Counters(string bracketed)
    {
        var inner = bracketed.Trim('[', ']').Split(':');
        return (ulong.Parse(inner[0], CultureInfo.InvariantCulture), ulong.Parse(inner[1], CultureInfo.InvariantCulture));
    }
}
