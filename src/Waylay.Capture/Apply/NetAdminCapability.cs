using System.Globalization;

namespace Waylay.Capture.Apply;

/// <summary>
/// Writing netfilter rules needs CAP_NET_ADMIN. Without it iptables only says "Permission denied (you must be root)",
/// which is wrong inside a container running as root whose securityContext did not add the capability; this check
/// says what is missing and where it is granted. Read from /proc/self/status's CapEff (capabilities(7)), since the
/// tools inherit this process's effective set.
/// </summary>
public static class NetAdminCapability
{
    private const int NetAdmin = 12; // CAP_NET_ADMIN, linux/capability.h
    private const int NetRaw = 13;   // CAP_NET_RAW: iptables-legacy's raw socket

    public static void Require(string statusText)
    {
        var line = statusText.Split('\n').FirstOrDefault(l => l.StartsWith("CapEff:", StringComparison.Ordinal));
        if (line is null || !ulong.TryParse(line["CapEff:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var effective))
        {
            return; // not Linux's /proc, or a format we do not know: let the tools speak for themselves
        }

        if ((effective & (1UL << NetAdmin)) == 0)
        {
            var raw = (effective & (1UL << NetRaw)) != 0 ? "" : " and CAP_NET_RAW";
            throw new CaptureException(
                $"capture needs CAP_NET_ADMIN (and CAP_NET_RAW for iptables-legacy) to write netfilter rules; this process lacks CAP_NET_ADMIN{raw}. " +
                "In a pod, the init container's securityContext.capabilities.add must list NET_ADMIN and NET_RAW (the injector adds both); elsewhere, run it as root.");
        }
    }

    public static void RequireForThisProcess()
    {
        if (File.Exists("/proc/self/status"))
        {
            Require(File.ReadAllText("/proc/self/status"));
        }
    }
}
