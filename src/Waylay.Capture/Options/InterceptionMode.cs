namespace Waylay.Capture.Options;

/// <summary>How inbound connections reach the proxy (istio-iptables' -m).</summary>
public enum InterceptionMode
{
    /// <summary>nat REDIRECT: the proxy reads the original destination with SO_ORIGINAL_DST; the source IP is kept.</summary>
    Redirect,

    /// <summary>mangle TPROXY with an fwmark policy route: no NAT at all; the proxy's listener is IP_TRANSPARENT.</summary>
    Tproxy,
}

public static class InterceptionModes
{
    /// <summary>The flag value (-m) and annotation value.</summary>
    public static string ToFlag(this InterceptionMode mode) => mode == InterceptionMode.Tproxy ? "TPROXY" : "REDIRECT";

    /// <summary>REDIRECT or TPROXY, any case (Istio's NONE is not a Waylay mode: there is no uncaptured sidecar).</summary>
    public static bool TryParse(string? text, out InterceptionMode mode)
    {
        switch (text?.Trim().ToUpperInvariant())
        {
            case "REDIRECT":
                mode = InterceptionMode.Redirect;
                return true;
            case "TPROXY":
                mode = InterceptionMode.Tproxy;
                return true;
            default:
                mode = InterceptionMode.Redirect;
                return false;
        }
    }
}
