using System.Runtime.InteropServices;

namespace Waylay.Linux;

/// <summary>&lt;unistd.h&gt; and &lt;sys/fsuid.h&gt;: process identity.</summary>
public static partial class Unistd
{
    [LibraryImport("libc", EntryPoint = "geteuid")]
    public static partial uint GetEffectiveUserId();

    [LibraryImport("libc", EntryPoint = "getegid")]
    public static partial uint GetEffectiveGroupId();

    /// <summary>
    /// Sets the filesystem uid of the calling thread only (glibc does not broadcast it to other threads, unlike setuid).
    /// The iptables owner match compares against the fsuid a socket was created with, so a socket made on a thread with
    /// fsuid 1337 is "the proxy's own traffic". Returns the previous fsuid.
    /// </summary>
    [LibraryImport("libc", EntryPoint = "setfsuid")]
    public static partial int SetFsUid(uint uid);

    /// <summary>Thread-local like <see cref="SetFsUid"/>; the owner match's --gid-owner reads it.</summary>
    [LibraryImport("libc", EntryPoint = "setfsgid")]
    public static partial int SetFsGid(uint gid);
}
