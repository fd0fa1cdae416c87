using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Waylay.Linux;

/// <summary>
/// A descriptor this process opened itself (an HTTP/1 upstream's socket, <see cref="TcpConnect"/>; an accepted
/// downstream connection, <see cref="TcpAccept"/>): closed once, when the last system call holding a reference on it
/// returns, so a close from another thread never lets a call reach a reused number.
/// </summary>
public sealed partial class DescriptorHandle : SafeHandle
{
    public DescriptorHandle(int fd)
        : base(invalidHandleValue: -1, ownsHandle: true) => SetHandle(fd);

    public override bool IsInvalid => handle == -1;

    /// <summary>
    /// Hands the descriptor to a .NET <see cref="Socket"/> (the L4 relay's pumps, Kestrel), which owns and closes it
    /// from here: this handle is marked invalid without closing it, so the descriptor has exactly one owner. Call only
    /// while nothing else uses the handle (no system call in flight, off the event loop).
    /// </summary>
    public Socket ToSocket()
    {
        ObjectDisposedException.ThrowIf(IsClosed, this);
        var fd = handle;
        SetHandleAsInvalid();
        var owner = new SafeSocketHandle(fd, ownsHandle: true);
        try
        {
            return new Socket(owner);
        }
        catch
        {
            owner.Dispose();
            throw;
        }
    }

    protected override bool ReleaseHandle() => Close((int)handle) == 0;

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
