using System.Text.RegularExpressions;

namespace Waylay.Capture.Apply;

/// <summary>
/// Reads `nft list ruleset` (or `nft list table`) output into table ("ip waylay-nat") → chain name → rule lines, hook
/// lines and comments left out, so verify reads the whole ruleset once.
/// </summary>
public static partial class NftListing
{
    /// <summary>
    /// A listed rule with its counter's values ("counter packets 12 bytes 720") cut to the bare statement, as it was
    /// written: what a rule is does not change with the traffic it counted.
    /// </summary>
    public static string WithoutCounterValues(string rule) => CounterValues().Replace(rule, "counter");

    [GeneratedRegex(@"\bcounter packets \d+ bytes \d+")]
    private static partial Regex CounterValues();

    public static IReadOnlyDictionary<string, Dictionary<string, List<string>>> Parse(string listing)
    {
        var tables = new Dictionary<string, Dictionary<string, List<string>>>(StringComparer.Ordinal);
        Dictionary<string, List<string>>? table = null;
        List<string>? chain = null;
        foreach (var raw in listing.Split('\n'))
        {
            var line = raw.Trim();
            if (line.StartsWith("table ", StringComparison.Ordinal) && line.EndsWith('{'))
            {
                table = [];
                tables[line[6..^1].Trim()] = table;
            }
            else if (line.StartsWith("chain ", StringComparison.Ordinal) && line.EndsWith('{') && table is not null)
            {
                chain = [];
                table[line[6..^1].Trim()] = chain;
            }
            else if (line == "}")
            {
                if (chain is not null)
                {
                    chain = null;
                }
                else
                {
                    table = null;
                }
            }
            else if (chain is not null && line.Length > 0 && !line.StartsWith("type ", StringComparison.Ordinal) && !line.StartsWith('#'))
            {
                chain.Add(WithoutCounterValues(line));
            }
        }

        return tables;
    }
}
