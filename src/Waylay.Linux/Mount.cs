using System.Runtime.InteropServices;

namespace Waylay.Linux;

/// <summary>&lt;sys/mount.h&gt;: mounting a container's root filesystem (an overlay) without a <c>mount</c> process.</summary>
public static partial class Mount
{
    /// <summary>MNT_DETACH: lazy unmount; the mount leaves the tree now and goes once nothing uses it.</summary>
    public const int MntDetach = 2;

    /// <summary>mount(2): 0 on success, -1 with errno.</summary>
    [LibraryImport("libc", EntryPoint = "mount", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Attach(string source, string target, string fileSystemType, ulong flags, string? data);

    /// <summary>umount2(2): 0 on success, -1 with errno (EINVAL: not a mount point).</summary>
    [LibraryImport("libc", EntryPoint = "umount2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Detach(string target, int flags);
}
