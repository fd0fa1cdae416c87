using System.Text.Json;
using Waylay.Capture.Apply;
using Waylay.Capture.Options;
using Waylay.Capture.Plan;
using Waylay.Capture.Render;

namespace Waylay.Diagnostics.Rules;

/// <summary>
/// A namespace's native nftables rules of the nat and mangle kinds (Waylay's <c>waylay-nat</c>/<c>waylay-mangle</c>
/// tables and any <c>nat</c>/<c>mangle</c> table of another agent, families ip and ip6), read in two listings with
/// handles: <c>nft -j -a list ruleset</c> gives each rule's chain, handle and counter values (JSON, so nothing is
/// guessed from layout), <c>nft -a list ruleset</c> gives its text as nft prints it, which is what the plan renders
/// (<see cref="NftRuleText"/>). A rule is the pair joined by (family, table, handle); the text keeps "counter" and
/// drops its values, so a rule's text does not change as it counts.
/// </summary>
internal static class NftKernelRules
{
    public static (IReadOnlyList<KernelChain> Chains, IReadOnlyList<KernelRule> Rules) Parse(string json, string text)
    {
        var texts = Texts(text);
        var chains = new List<KernelChain>();
        var rules = new List<KernelRule>();
        var numbers = new Dictionary<(string, string, string), int>();
        using var document = JsonDocument.Parse(json);
        foreach (var item in document.RootElement.GetProperty("nftables").EnumerateArray())
        {
            if (item.TryGetProperty("chain", out var chain) && Place(chain) is { } c)
            {
                var policy = chain.TryGetProperty("policy", out var p) ? p.GetString()!.ToUpperInvariant() : "-";
                chains.Add(new KernelChain(c.Table, chain.GetProperty("name").GetString()!, policy, 0, 0, c.Family));
            }
            else if (item.TryGetProperty("rule", out var rule) && Place(rule) is { } r)
            {
                var chainName = rule.GetProperty("chain").GetString()!;
                var handle = rule.GetProperty("handle").GetInt64();
                var (packets, bytes) = Counter(rule);
                var key = (r.FamilyName, r.NftTable, chainName);
                numbers[key] = numbers.GetValueOrDefault(key) + 1;
                var body = texts.GetValueOrDefault((r.FamilyName, r.NftTable, handle)) ?? $"(handle {handle}: not in the text listing)";
                rules.Add(new KernelRule(r.Table, chainName, numbers[key], body, packets, bytes, r.Family, r.NftTable));
            }
        }

        return (chains, rules);
    }

    private sealed record Placement(IpFamily Family, string FamilyName, NetfilterTable Table, string NftTable);

    /// <summary>Where a chain or rule object sits, when it is in a table diagnostics reads.</summary>
    private static Placement? Place(JsonElement element)
    {
        var family = element.GetProperty("family").GetString();
        var table = element.GetProperty("table").GetString()!;
        IpFamily? ipFamily = family switch { "ip" => IpFamily.V4, "ip6" => IpFamily.V6, _ => null };
        var kind = table.StartsWith(NftScriptRenderer.TablePrefix, StringComparison.Ordinal) ? table[NftScriptRenderer.TablePrefix.Length..] : table;
        NetfilterTable? netfilter = kind switch { "nat" => NetfilterTable.Nat, "mangle" => NetfilterTable.Mangle, _ => null };
        return ipFamily is { } f && netfilter is { } t ? new Placement(f, family!, t, table) : null;
    }

    private static (ulong Packets, ulong Bytes) Counter(JsonElement rule)
    {
        foreach (var expression in rule.GetProperty("expr").EnumerateArray())
        {
            if (expression.TryGetProperty("counter", out var counter) && counter.ValueKind == JsonValueKind.Object)
            {
                return (counter.GetProperty("packets").GetUInt64(), counter.GetProperty("bytes").GetUInt64());
            }
        }

        return (0, 0); // a rule without a counter statement (another agent's) counts nothing nft can show
    }

    /// <summary>Rule lines of <c>nft -a list ruleset</c> by (family, table, handle), "# handle N" cut off.</summary>
    private static Dictionary<(string, string, long), string> Texts(string listing)
    {
        var texts = new Dictionary<(string, string, long), string>();
        (string Family, string Name)? table = null;
        var inChain = false;
        foreach (var raw in listing.Split('\n'))
        {
            var line = raw.Trim();
            var hash = line.LastIndexOf(" # handle ", StringComparison.Ordinal);
            var bare = hash < 0 ? line : line[..hash];
            if (bare.StartsWith("table ", StringComparison.Ordinal) && bare.EndsWith('{'))
            {
                var words = bare.Split(' ');
                table = (words[1], words[2]);
            }
            else if (bare.StartsWith("chain ", StringComparison.Ordinal) && bare.EndsWith('{'))
            {
                inChain = true;
            }
            else if (bare == "}")
            {
                table = inChain ? table : null;
                inChain = false;
            }
            else if (inChain && table is { } t && hash >= 0 && long.TryParse(line[(hash + 10)..], out var handle))
            {
                texts[(t.Family, t.Name, handle)] = NftListing.WithoutCounterValues(bare);
            }
        }

        return texts;
    }
}
