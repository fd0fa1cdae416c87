namespace Waylay.Node.Processes.Oci;

/// <summary>
/// A container's capability set as containerd's CRI plugin computes it from the securityContext
/// (<c>setOCICapabilities</c>): the runtime's defaults; <c>add: [ALL]</c> gives every capability, <c>drop: [ALL]</c>
/// empties the set; then the named ones are added, then the named ones dropped. Istio's init container
/// (drop ALL, add NET_ADMIN, NET_RAW) ends with exactly those two; its proxy (drop ALL) with none.
/// </summary>
internal static class Capabilities
{
    /// <summary>containerd's default set (pkg/oci/spec.go, populateDefaultUnixSpec), Docker's too.</summary>
    public static readonly IReadOnlyList<string> Defaults =
    [
        "CHOWN", "DAC_OVERRIDE", "FSETID", "FOWNER", "MKNOD", "NET_RAW", "SETGID", "SETUID", "SETFCAP", "SETPCAP",
        "NET_BIND_SERVICE", "SYS_CHROOT", "KILL", "AUDIT_WRITE",
    ];

    /// <summary>Every capability by number (linux/capability.h), 0 to CAP_CHECKPOINT_RESTORE (40).</summary>
    private static readonly string[] All =
    [
        "CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID", "SETPCAP",
        "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW", "IPC_LOCK", "IPC_OWNER",
        "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT", "SYS_ADMIN", "SYS_BOOT", "SYS_NICE",
        "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD", "LEASE", "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP",
        "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF",
        "CHECKPOINT_RESTORE",
    ];

    /// <summary>The set as runc names it (<c>CAP_…</c>); <paramref name="privileged"/> gives all of them.</summary>
    public static IReadOnlyList<string> For(IReadOnlyList<string> add, IReadOnlyList<string> drop, bool privileged)
    {
        var all = AllOnThisKernel();
        if (privileged)
        {
            return [.. all.Select(c => "CAP_" + c)];
        }

        var set = new List<string>(Defaults);
        if (add.Any(IsAll))
        {
            set = [.. all];
        }

        if (drop.Any(IsAll))
        {
            set.Clear();
        }

        foreach (var name in add.Where(a => !IsAll(a)).Select(Name))
        {
            if (!set.Contains(name))
            {
                set.Add(name);
            }
        }

        set.RemoveAll(c => drop.Where(d => !IsAll(d)).Select(Name).Contains(c));
        return [.. set.Select(c => "CAP_" + c)];
    }

    private static bool IsAll(string name) => string.Equals(name, "ALL", StringComparison.OrdinalIgnoreCase);

    /// <summary>Kubernetes takes names with or without <c>CAP_</c>, in any case.</summary>
    private static string Name(string name)
    {
        var upper = name.ToUpperInvariant();
        return upper.StartsWith("CAP_", StringComparison.Ordinal) ? upper[4..] : upper;
    }

    /// <summary>A capability the kernel does not know would make runc fail the start: only those up to cap_last_cap.</summary>
    private static IEnumerable<string> AllOnThisKernel()
    {
        var last = int.TryParse(File.Exists("/proc/sys/kernel/cap_last_cap") ? File.ReadAllText("/proc/sys/kernel/cap_last_cap").Trim() : "", out var n)
            ? n
            : All.Length - 1;
        return All.Take(Math.Min(last + 1, All.Length));
    }
}
