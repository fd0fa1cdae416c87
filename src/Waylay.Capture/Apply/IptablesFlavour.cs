namespace Waylay.Capture.Apply;

/// <summary>
/// Which flavour the system's plain <c>iptables</c> is, read from where its symlinks end (Debian's alternatives:
/// /usr/sbin/iptables → /etc/alternatives/iptables → xtables-nft-multi or xtables-legacy-multi), without starting it.
/// </summary>
public static class IptablesFlavour
{
    private static readonly string[] Directories = ["/usr/sbin", "/sbin", "/usr/bin", "/bin", "/usr/local/sbin"];

    /// <summary>"iptables-nft", "iptables-legacy", or null when the binary is missing or its flavour is not in its name.</summary>
    public static string? OfSystemIptables()
    {
        foreach (var directory in Directories)
        {
            var path = Path.Combine(directory, "iptables");
            if (!File.Exists(path))
            {
                continue;
            }

            var target = File.ResolveLinkTarget(path, returnFinalTarget: true)?.Name ?? Path.GetFileName(path);
            return target.Contains("legacy", StringComparison.Ordinal) ? "iptables-legacy"
                : target.Contains("nft", StringComparison.Ordinal) ? "iptables-nft"
                : null;
        }

        return null;
    }
}
