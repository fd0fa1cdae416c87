using System.Runtime.InteropServices;

namespace Waylay.Linux;

/// <summary>
/// accept(2) and the options an accepted connection gets, with the system calls themselves: a downstream connection
/// then never has a .NET <see cref="System.Net.Sockets.Socket"/>, whose Socket, SafeSocketHandle, two endpoints and
/// mapped address (~320 bytes) it kept for its whole life, besides ~150–200 bytes of garbage per accept
/// (docs/designs/proxy.md, "Memory"). The peer's address is read by the same call into the caller's (stack) buffer.
/// </summary>
public static unsafe partial class TcpAccept
{
    /// <summary>
    /// accept4(2), non-blocking and close-on-exec: the new connection's descriptor, its peer's struct sockaddr in
    /// <paramref name="peer"/> (28 bytes hold sockaddr_in6) and its length in <paramref name="peerLength"/>; or null
    /// with the errno (EAGAIN: none queued; EBADF: the listener is closed).
    /// </summary>
    public static DescriptorHandle? Accept(SafeHandle listener, Span<byte> peer, out int peerLength, out int errno)
    {
        peerLength = 0;
        if (!SocketCalls.TryAddRef(listener, out var fd))
        {
            errno = Errno.EBadF;
            return null;
        }

        try
        {
            var length = (uint)peer.Length;
            int accepted;
            fixed (byte* name = peer)
            {
                accepted = Accept4(fd, name, &length, SocketCalls.SockNonBlock | SocketCalls.SockCloExec);
            }

            if (accepted < 0)
            {
                errno = Marshal.GetLastPInvokeError();
                return null;
            }

            errno = 0;
            peerLength = (int)Math.Min(length, (uint)peer.Length);
            return new DescriptorHandle(accepted);
        }
        finally
        {
            listener.DangerousRelease();
        }
    }

    /// <summary>
    /// Whether accept(2) failed for the connection it was taking (reset while queued, a network error pending on it)
    /// rather than for the listener: man accept(2) says to treat these as EAGAIN and accept the next one.
    /// </summary>
    public static bool IsConnectionError(int errno) =>
        errno is Errno.EConnAborted or Errno.EIntr or Errno.EProto or Errno.ENetUnreach or Errno.EHostUnreach or Errno.EPerm;

    /// <summary>TCP_NODELAY: 0, or the errno.</summary>
    public static int SetNoDelay(SafeHandle socket)
    {
        if (!SocketCalls.TryAddRef(socket, out var fd))
        {
            return Errno.EBadF;
        }

        try
        {
            return SocketCalls.SetInt(fd, SocketCalls.IpProtoTcp, SocketCalls.TcpNoDelay, 1);
        }
        finally
        {
            socket.DangerousRelease();
        }
    }

    [LibraryImport("libc", EntryPoint = "accept4", SetLastError = true)]
    private static partial int Accept4(int fd, byte* name, uint* length, int flags);
}
