using System.Globalization;
using Waylay.Capture.Apply;
using Waylay.Capture.Options;
using Waylay.Capture.Plan;
using Waylay.Capture.Render;
using Waylay.Diagnostics.Pods;

namespace Waylay.Diagnostics.Rules;

/// <summary>
/// A pod's nat and mangle tables read from the kernel with their counters (<c>iptables-save -c</c> in the pod's
/// namespace), every rule, Waylay's or not. The flavour is the one the pod's rules live in: legacy x_tables when the
/// namespace has any loaded (never created by reading: iptables-legacy-save without -t lists only loaded tables),
/// else nf_tables through iptables-nft.
/// </summary>
internal sealed record KernelRuleset(string Tool, IReadOnlyList<KernelChain> Chains, IReadOnlyList<KernelRule> Rules)
{
    private static readonly NetfilterTable[] Tables = [NetfilterTable.Nat, NetfilterTable.Mangle];

    public static async Task<KernelRuleset> ReadAsync(PodNetwork pod, PodCapture? capture, CancellationToken cancellationToken)
    {
        if (capture?.Options.Backend == BackendKind.Nft || (await pod.RunAsync("nft", ["list", "tables"], cancellationToken)).Contains(NftScriptRenderer.TablePrefix, StringComparison.Ordinal))
        {
            throw new DiagnosticsException($"pod {pod.Pod.Name}: its capture uses native nftables tables ({NftScriptRenderer.TablePrefix}*), which carry no counters; read them with: ip netns exec {pod.Pod.Record.Namespace} nft list ruleset (waylay rules reads the iptables backends)");
        }

        var tool = await SaveToolAsync(pod.Namespace, cancellationToken);
        return Parse(tool, await pod.RunAsync(tool, ["-c"], cancellationToken));
    }

    /// <summary>The save tool of the flavour a namespace's rules live in (reading with it creates no table).</summary>
    public static async Task<string> SaveToolAsync(NetworkNamespace netns, CancellationToken cancellationToken) =>
        string.IsNullOrWhiteSpace(await netns.ReadProcNetAsync("ip_tables_names", cancellationToken)) ? "iptables-nft-save" : "iptables-legacy-save";

    /// <summary>Parses <c>iptables-save -c</c>: "*table", ":CHAIN POLICY [p:b]", "[p:b] -A CHAIN …".</summary>
    public static KernelRuleset Parse(string tool, string save)
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
                chains.Add(new KernelChain(t, parts[0], parts.Length > 1 ? parts[1] : "-", p, b));
            }
            else if (table is { } u && line.StartsWith('['))
            {
                var close = line.IndexOf(']');
                var (p, b) = Counters(line[..(close + 1)]);
                var text = line[(close + 2)..];
                var chain = IptablesState.ChainOf(text);
                numbers[chain] = numbers.GetValueOrDefault(chain) + 1;
                rules.Add(new KernelRule(u, chain, numbers[chain], text, p, b));
            }
        }

        return new KernelRuleset(tool, chains, rules);
    }

    public IEnumerable<KernelRule> In(NetfilterTable table, string chain) => Rules.Where(r => r.Table == table && r.Chain == chain);

    private static (ulong Packets, ulong Bytes) Counters(string bracketed)
    {
        var inner = bracketed.Trim('[', ']').Split(':');
        return (ulong.Parse(inner[0], CultureInfo.InvariantCulture), ulong.Parse(inner[1], CultureInfo.InvariantCulture));
    }
}
