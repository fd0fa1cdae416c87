namespace Waylay.Capture.Options;

/// <summary>How inbound connections reach the proxy (istio-iptables' -m).</summary>
public enum InterceptionMode
{
    /// <summary>nat REDIRECT: the proxy reads the original destination with SO_ORIGINAL_DST; the source IP is kept.</summary>
    Redirect,

    /// <summary>mangle TPROXY with an fwmark policy route: no NAT at all; the proxy's listener is IP_TRANSPARENT.</summary>
    Tproxy,
}
