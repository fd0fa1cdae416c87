using System.Runtime.InteropServices;

namespace Waylay.Linux;

/// <summary>&lt;fcntl.h&gt; and &lt;unistd.h&gt;: descriptor flags, pipes and splice(2) for the zero-copy relay.</summary>
public static unsafe partial class Fcntl
{
    public const int FGetFl = 3;
    public const int FSetFl = 4;

    /// <summary>F_SETPIPE_SZ / F_GETPIPE_SZ (F_LINUX_SPECIFIC_BASE 1024 + 7 / + 8).</summary>
    public const int FSetPipeSize = 1031;
    public const int FGetPipeSize = 1032;

    public const int ONonBlock = 0x800;
    public const int OCloexec = 0x80000;

    /// <summary>SPLICE_F_MOVE: move pages instead of copying where the kernel can.</summary>
    public const uint SpliceMove = 1;

    /// <summary>SPLICE_F_NONBLOCK: do not block on the pipe (the socket's own O_NONBLOCK governs the socket end).</summary>
    public const uint SpliceNonBlock = 2;

    /// <summary>SPLICE_F_MORE: more data follows (a hint like MSG_MORE).</summary>
    public const uint SpliceMore = 4;

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    public static partial int Control(int fd, int command, int argument);

    [LibraryImport("libc", EntryPoint = "splice", SetLastError = true)]
    public static partial nint Splice(int fdIn, nint offsetIn, int fdOut, nint offsetOut, nuint length, uint flags);

    [LibraryImport("libc", EntryPoint = "pipe2", SetLastError = true)]
    public static partial int Pipe2(int* fds, int flags);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    /// <summary>Sets O_NONBLOCK on a descriptor; returns false (errno in Marshal.GetLastPInvokeError) on failure.</summary>
    public static bool SetNonBlocking(int fd)
    {
        var flags = Control(fd, FGetFl, 0);
        return flags >= 0 && ((flags & ONonBlock) != 0 || Control(fd, FSetFl, flags | ONonBlock) == 0);
    }

    /// <summary>Creates a non-blocking, close-on-exec pipe; returns false on failure (typically EMFILE).</summary>
    public static bool TryCreatePipe(out int readEnd, out int writeEnd)
    {
        int* fds = stackalloc int[2];
        if (Pipe2(fds, ONonBlock | OCloexec) != 0)
        {
            readEnd = writeEnd = -1;
            return false;
        }

        readEnd = fds[0];
        writeEnd = fds[1];
        return true;
    }
}
