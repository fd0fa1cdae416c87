namespace Waylay.Capture.Apply;

/// <summary>Reads `nft list table` output into chain name → rule lines (hook lines and comments left out).</summary>
public static class NftListing
{
    public static IReadOnlyDictionary<string, List<string>> Parse(string listing)
    {
        var chains = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        List<string>? current = null;
        foreach (var raw in listing.Split('\n'))
        {
            var line = raw.Trim();
            if (line.StartsWith("chain ", StringComparison.Ordinal) && line.EndsWith('{'))
            {
                current = [];
                chains[line[6..^1].Trim()] = current;
            }
            else if (line == "}")
            {
                current = null;
            }
            else if (current is not null && line.Length > 0 && !line.StartsWith("type ", StringComparison.Ordinal) && !line.StartsWith('#'))
            {
                current.Add(line);
            }
        }

        return chains;
    }
}
