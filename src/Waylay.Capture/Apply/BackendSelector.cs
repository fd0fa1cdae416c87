using Waylay.Capture.Options;

namespace Waylay.Capture.Apply;

/// <summary>A chosen backend and why it was chosen (printed, since legacy/nft mix-ups are a classic capture failure).</summary>
public sealed record BackendChoice(IRuleBackend Backend, string Reason);

/// <summary>
/// Picks the backend. For auto it looks where the namespace's existing rules live (the <see cref="RulesetSurvey"/>):
/// legacy x_tables or nf_tables, so Waylay's rules sit beside kube-proxy's or the CNI's instead of in a second ruleset
/// that silently loses.
/// </summary>
public static class BackendSelector
{
    public static BackendChoice Select(BackendKind kind, NetworkNamespace netns, RulesetSurvey survey)
    {
        switch (kind)
        {
            case BackendKind.Iptables:
                // The system's iptables is one of the two flavours; naming it by its flavour keeps the sweep of
                // "other" backends from removing the rules just written through it.
                return IptablesFlavour.OfSystemIptables() is { } flavour
                    ? new(new IptablesBackend(flavour, netns, survey), $"asked for with --backend iptables (the system's default iptables is {flavour})")
                    : new(new IptablesBackend("iptables", netns, survey), "asked for with --backend iptables (the system's default iptables)");
            case BackendKind.IptablesLegacy:
                return new(new IptablesBackend("iptables-legacy", netns, survey), "asked for with --backend iptables-legacy");
            case BackendKind.IptablesNft:
                return new(new IptablesBackend("iptables-nft", netns, survey), "asked for with --backend iptables-nft");
            case BackendKind.Nft:
                return new(new NftBackend(netns, survey), "asked for with --backend nft");
        }

        if (survey.LegacyV4.Count > 0)
        {
            return new(new IptablesBackend("iptables-legacy", netns, survey), $"auto: legacy iptables tables are loaded here ({string.Join(", ", survey.LegacyV4)})");
        }

        if (survey.HasWaylayNft(IpFamily.V4) == true || survey.HasWaylayNft(IpFamily.V6) == true)
        {
            return new(new NftBackend(netns, survey), "auto: Waylay's native nftables tables are already here");
        }

        if (survey.NftTables is { Count: > 0 } && (survey.MayHoldIptablesNft(IpFamily.V4) || survey.MayHoldIptablesNft(IpFamily.V6)))
        {
            return new(new IptablesBackend("iptables-nft", netns, survey), "auto: the existing rules here are nf_tables (iptables-nft)");
        }

        return new(new IptablesBackend("iptables-nft", netns, survey), "auto: no rules here yet; iptables-nft is the distributions' default");
    }

    /// <summary>Every backend, for cleanup: Waylay's rules are removed wherever they are.</summary>
    public static IReadOnlyList<IRuleBackend> All(NetworkNamespace netns, RulesetSurvey survey) =>
        [new IptablesBackend("iptables-nft", netns, survey), new IptablesBackend("iptables-legacy", netns, survey), new NftBackend(netns, survey)];
}
