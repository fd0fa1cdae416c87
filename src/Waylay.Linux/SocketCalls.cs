using System.Runtime.InteropServices;

namespace Waylay.Linux;

/// <summary>
/// What the socket helpers that work on a bare descriptor share (<see cref="TcpConnect"/>, <see cref="TcpAccept"/>,
/// <see cref="SocketNames"/>, <see cref="SocketReset"/>, <see cref="LinuxSocket"/>): a reference on the handle for
/// the length of one system call, so a close from another thread never lets it reach a reused number, and the
/// option calls and flags they all use.
/// </summary>
internal static unsafe partial class SocketCalls
{
    public const int SockNonBlock = 0x800;
    public const int SockCloExec = 0x80000;
    public const int IpProtoTcp = 6;
    public const int TcpNoDelay = 1;
    public const int SolSocket = 1;

    /// <summary>A reference on the handle for one system call, and its number; false once it is closed.</summary>
    public static bool TryAddRef(SafeHandle socket, out int fd)
    {
        var added = false;
        try
        {
            socket.DangerousAddRef(ref added);
        }
        catch (ObjectDisposedException)
        {
        }

        fd = added ? (int)socket.DangerousGetHandle() : -1;
        return added;
    }

    /// <summary>An int option set on a descriptor held with <see cref="TryAddRef"/>: 0, or the errno.</summary>
    public static int SetInt(int fd, int level, int name, int value) =>
        SetOption(fd, level, name, &value, sizeof(int)) == 0 ? 0 : Marshal.GetLastPInvokeError();

    [LibraryImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    public static partial int SetOption(int fd, int level, int name, void* value, uint length);

    [LibraryImport("libc", EntryPoint = "getsockopt", SetLastError = true)]
    public static partial int GetOption(int fd, int level, int name, void* value, uint* length);
}
