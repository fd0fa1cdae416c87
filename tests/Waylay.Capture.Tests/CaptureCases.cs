namespace Waylay.Capture.Tests;

/// <summary>
/// One table of capture flag sets drives the golden scripts (Golden/&lt;case&gt;.iptables and .nft) and the real runs
/// in a namespace (apply, apply again, verify, clean up, nothing left).
/// </summary>
public static class CaptureCases
{
    public static readonly IReadOnlyDictionary<string, string[]> All = new Dictionary<string, string[]>
    {
        // The seed's init container, verbatim (trailing comma and empty strings included).
        ["seed"] = ["-p", "15001", "-u", "1337", "-m", "REDIRECT", "-i", "*", "-x", "", "-b", "9080,", "-d", ""],
        // What `waylay inject` (and Istio ≥ 1.3's injector) passes by default.
        ["istio-default"] = ["-p", "15001", "-z", "15006", "-u", "1337", "-m", "REDIRECT", "-i", "*", "-x", "", "-b", "*", "-d", "15090,15021,15020"],
        ["outbound-ranges"] = ["-i", "10.96.0.0/12,fd00:96::/64", "-x", "10.96.0.10/32", "-q", "3306", "-o", "25,587", "-b", "9080,8080", "--ipv6"],
        ["tproxy"] = ["-m", "TPROXY", "-b", "*", "-d", "15090,15021", "-i", "*", "--ipv6"],
        ["interfaces"] = ["-i", "*", "-b", "*", "-k", "vnet0", "-c", "eth9"],
        ["drop-invalid"] = ["-i", "*", "-b", "9080", "--drop-invalid", "-u", "1337,1338", "-g", "1337"],
        ["outbound-only"] = ["-i", "*"],
    };
}
