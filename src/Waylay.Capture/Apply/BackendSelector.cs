using Waylay.Capture.Options;
using Waylay.Capture.Render;

namespace Waylay.Capture.Apply;

/// <summary>A chosen backend and why it was chosen (printed, since legacy/nft mix-ups are a classic capture failure).</summary>
public sealed record BackendChoice(IRuleBackend Backend, string Reason);

/// <summary>
/// Picks the backend. For auto it looks where the namespace's existing rules live: legacy x_tables (listed in
/// /proc/net/ip_tables_names, which reading does not create, unlike `iptables-legacy-save`) or nf_tables, so Waylay's
/// rules sit beside kube-proxy's or the CNI's instead of in a second ruleset that silently loses.
/// </summary>
public static class BackendSelector
{
    public static async Task<BackendChoice> SelectAsync(BackendKind kind, NetworkNamespace netns, CancellationToken cancellationToken)
    {
        switch (kind)
        {
            case BackendKind.Iptables:
                return new(new IptablesBackend("iptables", netns), "asked for with --backend iptables (the system's default iptables)");
            case BackendKind.IptablesLegacy:
                return new(new IptablesBackend("iptables-legacy", netns), "asked for with --backend iptables-legacy");
            case BackendKind.IptablesNft:
                return new(new IptablesBackend("iptables-nft", netns), "asked for with --backend iptables-nft");
            case BackendKind.Nft:
                return new(new NftBackend(netns), "asked for with --backend nft");
        }

        var legacy = await netns.RunAsync("cat", ["/proc/net/ip_tables_names"], null, cancellationToken);
        if (legacy.Succeeded && legacy.StandardOutput.Trim().Length > 0)
        {
            var tables = string.Join(", ", legacy.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            return new(new IptablesBackend("iptables-legacy", netns), $"auto: legacy iptables tables are loaded here ({tables})");
        }

        var nft = await netns.RunAsync("nft", ["list", "tables"], null, cancellationToken);
        var listing = nft.Succeeded ? nft.StandardOutput : "";
        if (listing.Contains($"{NftScriptRenderer.TablePrefix}", StringComparison.Ordinal))
        {
            return new(new NftBackend(netns), "auto: Waylay's native nftables tables are already here");
        }

        if (listing.Split('\n').Any(l => l.StartsWith("table ip ", StringComparison.Ordinal) || l.StartsWith("table ip6 ", StringComparison.Ordinal)))
        {
            return new(new IptablesBackend("iptables-nft", netns), "auto: the existing rules here are nf_tables (iptables-nft)");
        }

        return new(new IptablesBackend("iptables-nft", netns), "auto: no rules here yet; iptables-nft is the distributions' default");
    }

    /// <summary>Every backend, for cleanup: Waylay's rules are removed wherever they are.</summary>
    public static IReadOnlyList<IRuleBackend> All(NetworkNamespace netns) =>
        [new IptablesBackend("iptables-nft", netns), new IptablesBackend("iptables-legacy", netns), new NftBackend(netns)];
}
