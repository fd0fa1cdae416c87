using System.Runtime.InteropServices;

namespace Waylay.Linux;

/// <summary>&lt;unistd.h&gt; and &lt;sys/fsuid.h&gt;: process identity, and replacing the process image.</summary>
public static unsafe partial class Unistd
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

    /// <summary>
    /// execv(3): replaces this process with <paramref name="path"/>, same pid, environment and descriptors (.NET opens
    /// its own with O_CLOEXEC). Returns only on failure, with the errno; <paramref name="arguments"/> is argv from argv[0].
    /// </summary>
    public static int Execute(string path, IReadOnlyList<string> arguments)
    {
        var argv = new nint[arguments.Count + 1];
        var file = Marshal.StringToCoTaskMemUTF8(path);
        try
        {
            for (var i = 0; i < arguments.Count; i++)
            {
                argv[i] = Marshal.StringToCoTaskMemUTF8(arguments[i]);
            }

            fixed (nint* pointers = argv)
            {
                ExecV((byte*)file, (byte**)pointers);
            }

            return Marshal.GetLastPInvokeError();
        }
        finally
        {
            Marshal.FreeCoTaskMem(file);
            foreach (var pointer in argv)
            {
                Marshal.FreeCoTaskMem(pointer);
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "execv", SetLastError = true)]
    private static partial int ExecV(byte* path, byte** argv);
}
