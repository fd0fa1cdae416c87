using Waylay.Node.State;
using Waylay.Commands;

namespace Waylay.Cli.Commands;

/// <summary>Run ids as the user writes them (<c>abc1</c> or the prefix form <c>wl-abc1</c>), and the live runs to pick from.</summary>
internal static class RunIds
{
    public const string StateRoot = "/run/waylay";

    /// <summary>The given id checked, or a new one no run uses.</summary>
    public static string Parse(string? given)
    {
        if (given is null)
        {
            string id;
            do
            {
                id = "up" + Convert.ToHexStringLower(BitConverter.GetBytes(Random.Shared.Next()))[..4];
            }
            while (Directory.Exists(Path.Combine(StateRoot, id)));
            return id;
        }

        var run = given.StartsWith("wl-", StringComparison.Ordinal) ? given[3..].TrimEnd('-') : given;
        if (run.Length is 0 or > 8 || !run.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9')))
        {
            throw new UsageException($"run id '{given}': use 1 to 8 lower-case letters or digits (names are wl-<id>-…, an interface name has at most 15 characters)");
        }

        return run;
    }

    /// <summary>The run a command without a run id means: the only one <c>waylay up</c> made, or a usage error.</summary>
    public static string? Only(string command)
    {
        var runs = PodLookup.LiveRuns(StateRoot);
        return runs.Count switch
        {
            0 => null,
            1 => runs[0],
            _ => throw new UsageException($"{command}: {runs.Count} runs are live ({string.Join(", ", runs)}); pick one: waylay {command} {runs[0]}"),
        };
    }
}
