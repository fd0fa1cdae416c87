using Waylay.Capture.Plan;

namespace Waylay.Capture.Render;

/// <summary>
/// What one table holds of Waylay's right now, read from `iptables-save -t TABLE`: which owned chains exist, their
/// rules, and the jumps from built-in chains into them (the only lines Waylay ever adds to a chain it does not own).
/// </summary>
public sealed record IptablesState(NetfilterTable Table, IReadOnlyList<string> OwnedChains, IReadOnlyList<string> Lines)
{
    public static IptablesState Empty(NetfilterTable table) => new(table, [], []);

    /// <summary>Builds the state from iptables-save output (only the named table's section is read).</summary>
    public static IptablesState Parse(NetfilterTable table, string save)
    {
        var chains = new List<string>();
        var lines = new List<string>();
        var inTable = false;
        foreach (var raw in save.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.StartsWith('*'))
            {
                inTable = line[1..] == table.Name();
                continue;
            }

            if (!inTable)
            {
                continue;
            }

            if (line.StartsWith(':'))
            {
                var name = line[1..].Split(' ')[0];
                if (ChainNames.Owned.Contains(name))
                {
                    chains.Add(name);
                }
            }
            else if (line.StartsWith("-A ", StringComparison.Ordinal) && IsOurs(line))
            {
                lines.Add(line);
            }
        }

        return new IptablesState(table, chains, lines);
    }

    /// <summary>The jumps from built-in chains into owned chains, as "-A CHAIN …" lines.</summary>
    public IEnumerable<string> Jumps => Lines.Where(l => ChainNames.IsBuiltIn(ChainOf(l)));

    public IEnumerable<string> RulesOf(string chain) => Lines.Where(l => ChainOf(l) == chain);

    public static string ChainOf(string line) => line.Split(' ', 3)[1];

    private static bool IsOurs(string line)
    {
        if (ChainNames.Owned.Contains(ChainOf(line)))
        {
            return true;
        }

        var jump = line.LastIndexOf(" -j ", StringComparison.Ordinal);
        return jump >= 0 && ChainNames.Owned.Contains(line[(jump + 4)..].Split(' ')[0]);
    }
}
