using Waylay.Capture.Options;
using Waylay.Capture.Render;

namespace Waylay.Capture.Apply;

/// <summary>
/// One look at which netfilter tables exist in the namespace, taken once per run before anything changes: the legacy
/// x_tables loaded (/proc/net/ip_tables_names and ip6_tables_names, read as files: listing a legacy table would
/// create it) and the nf_tables tables (asked over netlink, or one <c>nft list tables</c> in another namespace).
/// Backend selection, each backend's "what is there now" and the sweep of other backends all answer from it, so a
/// pod's first apply reads nothing it does not need: on an empty namespace the transaction is the only process
/// started. A backend's own read-back after it changed something (verify, rollback) always reads the kernel again.
/// </summary>
/// <param name="NftTables">"ip nat", "ip6 waylay-nat", …; null when neither netlink nor nft could answer.</param>
public sealed record RulesetSurvey(IReadOnlySet<string> LegacyV4, IReadOnlySet<string> LegacyV6, IReadOnlySet<string>? NftTables)
{
    /// <summary>What an unknown namespace is taken to hold: everything may exist, so every reader reads.</summary>
    public static readonly RulesetSurvey Unknown = new(new HashSet<string>(), new HashSet<string>(), null) { LegacyKnown = false };

    /// <summary>False when the legacy table lists could not be read; readers then ask the kernel themselves.</summary>
    public bool LegacyKnown { get; init; } = true;

    public static async Task<RulesetSurvey> TakeAsync(NetworkNamespace netns, CancellationToken cancellationToken)
    {
        var v4 = netns.ReadProcNetAsync("ip_tables_names", cancellationToken);
        var v6 = netns.ReadProcNetAsync("ip6_tables_names", cancellationToken);
        return new RulesetSurvey(Lines(await v4), Lines(await v6), await NftTablesAsync(netns, cancellationToken));
    }

    /// <summary>
    /// In this process's own namespace the kernel is asked over netlink (no process); in another one, or if that
    /// fails, `nft list tables` runs there. Null when neither can answer.
    /// </summary>
    private static async Task<HashSet<string>?> NftTablesAsync(NetworkNamespace netns, CancellationToken cancellationToken)
    {
        if (netns.Path is null)
        {
            try
            {
                return Linux.Nfnetlink.ListTables().ToHashSet(StringComparer.Ordinal);
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or InvalidDataException or NotSupportedException)
            {
                // e.g. no nf_tables in this kernel; nft (if installed) says what it can
            }
        }

        var nft = await netns.RunAsync("nft", ["list", "tables"], null, cancellationToken);
        return nft.Succeeded
            ? nft.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Where(l => l.StartsWith("table ", StringComparison.Ordinal))
                .Select(l => l["table ".Length..])
                .ToHashSet(StringComparer.Ordinal)
            : null;
    }

    public IReadOnlySet<string> Legacy(IpFamily family) => family == IpFamily.V4 ? LegacyV4 : LegacyV6;

    /// <summary>Whether iptables-nft may hold rules of this family: nf_tables has a table of it that is not Waylay's native one.</summary>
    public bool MayHoldIptablesNft(IpFamily family) =>
        NftTables is null || NftTables.Any(t => t.StartsWith(NftScriptRenderer.FamilyName(family) + " ", StringComparison.Ordinal)
            && !t.Contains(' ' + NftScriptRenderer.TablePrefix, StringComparison.Ordinal));

    /// <summary>Whether Waylay's native tables exist for this family (null: unknown, nft could not be asked).</summary>
    public bool? HasWaylayNft(IpFamily family) =>
        NftTables?.Any(t => t.StartsWith($"{NftScriptRenderer.FamilyName(family)} {NftScriptRenderer.TablePrefix}", StringComparison.Ordinal));

    /// <summary>
    /// Whether a mangle table exists for the family in any backend: TPROXY rules (and so a policy route an earlier run
    /// added) can only be there if one does.
    /// </summary>
    public bool MayHoldMangle(IpFamily family) =>
        !LegacyKnown || NftTables is null || Legacy(family).Contains("mangle")
        || NftTables.Contains($"{NftScriptRenderer.FamilyName(family)} mangle")
        || NftTables.Contains($"{NftScriptRenderer.FamilyName(family)} {NftScriptRenderer.TablePrefix}mangle");

    private static HashSet<string> Lines(string? text) =>
        (text ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
}
