using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Waylay.Linux;

/// <summary>
/// An outgoing TCP connection made with the system calls themselves, for a socket that .NET's socket engine never
/// sees (an HTTP/1 upstream driven by the sidecar's own event loop). <see cref="Socket"/> costs per connect a
/// SocketException for its non-blocking Connect's EWOULDBLOCK, a SocketAsyncContext kept for the connection's life
/// (made to set O_NONBLOCK), a SocketAddress, and the Socket itself; here the addresses are built on the stack and
/// the descriptor is a bare <see cref="DescriptorHandle"/> (docs/designs/proxy.md, "Memory").
/// </summary>
public static unsafe partial class TcpConnect
{
    public const int EInProgress = 115;
    private const int AfInet = 2;
    private const int AfInet6 = 10;
    private const int SockStream = 1;
    private const int SoError = 4;
    private const short PollIn = 0x001;

    /// <summary>
    /// socket(2) non-blocking and close-on-exec, TCP_NODELAY, the <paramref name="source"/> bound with IP_FREEBIND
    /// (the inbound-passthrough 127.0.0.6 / ::6) when given, and connect(2) started. Returns the descriptor with
    /// <paramref name="errno"/> 0 (connected already) or EINPROGRESS (the writable edge ends it); or null with the errno
    /// of the step that failed, nothing left open.
    /// </summary>
    public static DescriptorHandle? Start(IPEndPoint target, IPEndPoint? source, out int errno)
    {
        var fd = Socket(target.AddressFamily == AddressFamily.InterNetworkV6 ? AfInet6 : AfInet, SockStream | SocketCalls.SockNonBlock | SocketCalls.SockCloExec,
            SocketCalls.IpProtoTcp);
        if (fd < 0)
        {
            errno = Marshal.GetLastPInvokeError();
            return null;
        }

        var handle = new DescriptorHandle(fd);
        var name = stackalloc byte[28]; // sizeof(struct sockaddr_in6)
        errno = SocketCalls.SetInt(fd, SocketCalls.IpProtoTcp, SocketCalls.TcpNoDelay, 1);
        if (errno == 0 && source is not null)
        {
            errno = FreeBind(fd, source);
            if (errno == 0 && Bind(fd, name, Write(source, name)) != 0)
            {
                errno = Marshal.GetLastPInvokeError();
            }
        }

        if (errno != 0)
        {
            handle.Dispose();
            return null;
        }

        if (Connect(fd, name, Write(target, name)) == 0)
        {
            errno = 0;
            return handle;
        }

        // EINTR: the connect goes on in the background, as after EINPROGRESS.
        errno = Marshal.GetLastPInvokeError();
        if (errno is EInProgress or Errno.EIntr)
        {
            errno = EInProgress;
            return handle;
        }

        handle.Dispose();
        return null;
    }

    /// <summary>SO_ERROR: how the connect ended (0 connected, else its errno), read once its writable edge came.</summary>
    public static int TakeError(SafeHandle socket)
    {
        if (!SocketCalls.TryAddRef(socket, out var fd))
        {
            return Errno.EBadF;
        }

        try
        {
            var error = 0;
            var length = (uint)sizeof(int);
            return SocketCalls.GetOption(fd, SocketCalls.SolSocket, SoError, &error, &length) == 0 ? error : Marshal.GetLastPInvokeError();
        }
        finally
        {
            socket.DangerousRelease();
        }
    }

    /// <summary>shutdown(2): 0, or the errno (ENOTCONN when the peer has gone already).</summary>
    public static int Shutdown(SafeHandle socket, SocketShutdown how)
    {
        if (!SocketCalls.TryAddRef(socket, out var fd))
        {
            return Errno.EBadF;
        }

        try
        {
            return ShutdownCore(fd, (int)how) == 0 ? 0 : Marshal.GetLastPInvokeError();
        }
        finally
        {
            socket.DangerousRelease();
        }
    }

    /// <summary>
    /// poll(2) without waiting: whether the socket is readable, at its end or failed (what Socket.Poll with SelectRead
    /// says); a closed handle counts as readable, so the caller drops it.
    /// </summary>
    public static bool Readable(SafeHandle socket)
    {
        if (!SocketCalls.TryAddRef(socket, out var fd))
        {
            return true;
        }

        try
        {
            var poll = new PollFd { Fd = fd, Events = PollIn };
            return PollCore(&poll, 1, 0) != 0;
        }
        finally
        {
            socket.DangerousRelease();
        }
    }

    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    private static int FreeBind(int fd, IPEndPoint source) => source.AddressFamily == AddressFamily.InterNetworkV6
        ? SocketCalls.SetInt(fd, LinuxSocket.SolIpv6, LinuxSocket.Ipv6Freebind, 1)
        : SocketCalls.SetInt(fd, LinuxSocket.SolIp, LinuxSocket.IpFreebind, 1);

    /// <summary>A struct sockaddr_in or sockaddr_in6 for <paramref name="endpoint"/>; returns its length.</summary>
    private static uint Write(IPEndPoint endpoint, byte* name)
    {
        var span = new Span<byte>(name, 28);
        span.Clear();
        BinaryPrimitives.WriteUInt16BigEndian(span[2..], (ushort)endpoint.Port);
        if (endpoint.AddressFamily == AddressFamily.InterNetworkV6)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(span, AfInet6);
            endpoint.Address.TryWriteBytes(span.Slice(8, 16), out _);
            BinaryPrimitives.WriteUInt32LittleEndian(span[24..], (uint)endpoint.Address.ScopeId);
            return 28;
        }

        BinaryPrimitives.WriteUInt16LittleEndian(span, AfInet);
        endpoint.Address.TryWriteBytes(span.Slice(4, 4), out _);
        return 16;
    }

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    private static partial int Socket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "bind", SetLastError = true)]
    private static partial int Bind(int fd, byte* name, uint length);

    [LibraryImport("libc", EntryPoint = "connect", SetLastError = true)]
    private static partial int Connect(int fd, byte* name, uint length);

    [LibraryImport("libc", EntryPoint = "shutdown", SetLastError = true)]
    private static partial int ShutdownCore(int fd, int how);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static partial int PollCore(PollFd* fds, nuint count, int timeout);
}
