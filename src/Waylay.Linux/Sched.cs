using System.Runtime.InteropServices;

namespace Waylay.Linux;

/// <summary>&lt;sched.h&gt;: entering namespaces.</summary>
public static partial class Sched
{
    /// <summary>CLONE_NEWNET from &lt;linux/sched.h&gt;.</summary>
    public const int CloneNewNet = 0x40000000;

    /// <summary>
    /// Moves the calling <em>thread</em> into the namespace behind <paramref name="fd"/>. Sockets created on that thread
    /// afterwards belong to the namespace for their whole life, whichever thread uses them later.
    /// </summary>
    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    public static partial int SetNs(int fd, int nsType);
}
