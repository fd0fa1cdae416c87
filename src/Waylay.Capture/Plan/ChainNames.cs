namespace Waylay.Capture.Plan;

/// <summary>
/// Chain names. Waylay keeps istio-iptables' names on purpose: runbooks, dashboards and `iptables -t nat -L` habits
/// built for Istio (and the seed's listings) read the same, and a pod moved from Istio is cleaned up by either tool.
/// </summary>
public static class ChainNames
{
    public const string Prerouting = "PREROUTING";
    public const string Output = "OUTPUT";

    public const string IstioInbound = "ISTIO_INBOUND";
    public const string IstioOutput = "ISTIO_OUTPUT";
    public const string IstioRedirect = "ISTIO_REDIRECT";
    public const string IstioInRedirect = "ISTIO_IN_REDIRECT";
    public const string IstioDivert = "ISTIO_DIVERT";
    public const string IstioTproxy = "ISTIO_TPROXY";
    public const string IstioDropInvalid = "ISTIO_DROP_INVALID";

    /// <summary>Every chain Waylay may create: cleanup removes exactly these and the jumps into them.</summary>
    public static readonly IReadOnlySet<string> Owned = new HashSet<string>(StringComparer.Ordinal)
    {
        IstioInbound, IstioOutput, IstioRedirect, IstioInRedirect, IstioDivert, IstioTproxy, IstioDropInvalid,
    };

    public static bool IsBuiltIn(string chain) => chain is Prerouting or Output or "INPUT" or "FORWARD" or "POSTROUTING";
}
