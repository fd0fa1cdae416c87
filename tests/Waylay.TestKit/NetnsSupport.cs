using Waylay.Linux;

namespace Waylay.TestKit;

/// <summary>Probes, once per process, whether this machine can run the kernel tests.</summary>
public static class NetnsSupport
{
    private static readonly Lazy<string?> Probe = new(ProbeOnce);

    /// <summary>Null when namespaces, veth and the capture tools all work; otherwise why not.</summary>
    public static string? SkipReason => Probe.Value;

    private static string? ProbeOnce()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "needs Linux network namespaces";
        }

        if (Unistd.GetEffectiveUserId() != 0)
        {
            return "needs root to create network namespaces (run ./test.sh as root)";
        }

        foreach (var tool in new[] { "ip", "nsenter", "setpriv", "iptables-restore", "nft" })
        {
            if (!ToolExists(tool))
            {
                return $"'{tool}' is not installed (./test.sh installs it with apt-get)";
            }
        }

        var name = RunId.Next("probe");
        var add = Exec.RunAsync("ip", "netns", "add", name).GetAwaiter().GetResult();
        if (!add.Succeeded)
        {
            return $"cannot create a network namespace: {add.Diagnostic}";
        }

        Exec.RunAsync("ip", "netns", "del", name).GetAwaiter().GetResult();
        return null;
    }

    private static bool ToolExists(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin")
            .Split(':')
            .Append("/usr/sbin").Append("/sbin")
            .Any(dir => File.Exists(Path.Combine(dir, tool)));
}
