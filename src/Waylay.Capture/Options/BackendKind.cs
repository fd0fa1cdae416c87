namespace Waylay.Capture.Options;

/// <summary>Which netfilter front end writes the rules.</summary>
public enum BackendKind
{
    /// <summary>The iptables flavour whose rules already live in the namespace (legacy or nft), else iptables-nft.</summary>
    Auto,

    /// <summary>The system's default <c>iptables</c> binary, whichever flavour it is.</summary>
    Iptables,

    IptablesLegacy,
    IptablesNft,

    /// <summary>A native nftables table (<c>inet waylay</c>) written with <c>nft -f</c>.</summary>
    Nft,
}
