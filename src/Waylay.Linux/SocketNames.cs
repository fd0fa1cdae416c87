using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Waylay.Linux;

/// <summary>
/// getsockname(2) and getpeername(2) read straight into an <see cref="IPEndPoint"/>, an IPv4-mapped IPv6 address
/// (a dual-mode listener's IPv4 peer) as plain IPv4. <see cref="Socket.LocalEndPoint"/> and
/// <see cref="Socket.RemoteEndPoint"/> keep what they return on the socket, the mapped form with its own address
/// array, for as long as the connection lives: a proxy that normalizes them held both forms, ~300 bytes per held
/// connection (docs/designs/proxy.md, "Memory").
/// </summary>
public static unsafe partial class SocketNames
{
    private const ushort AfInet = 2;
    private const ushort AfInet6 = 10;

    /// <summary>The socket's own address, or null when it has none (closed, not bound).</summary>
    public static IPEndPoint? Local(Socket socket) => Read(socket.SafeHandle, peer: false);

    /// <summary>The same for a descriptor without a .NET Socket (<see cref="TcpConnect"/>).</summary>
    public static IPEndPoint? Local(SafeHandle socket) => Read(socket, peer: false);

    /// <summary>The connected peer's address, or null when there is none.</summary>
    public static IPEndPoint? Peer(Socket socket) => Read(socket.SafeHandle, peer: true);

    /// <summary>Whether the socket's own address is an IPv4 address on an IPv6 (dual-mode) socket.</summary>
    public static bool LocalIsIpv4Mapped(Socket socket)
    {
        Span<byte> name = stackalloc byte[28];
        return TryName(socket.SafeHandle, peer: false, name, out var length) && length >= 24
            && BinaryPrimitives.ReadUInt16LittleEndian(name) == AfInet6 && IsIpv4Mapped(name.Slice(8, 16));
    }

    /// <summary>A struct sockaddr_in or sockaddr_in6 as an endpoint (IPv4-mapped as IPv4); null for another family.</summary>
    public static IPEndPoint? Parse(ReadOnlySpan<byte> name)
    {
        if (name.Length < 8)
        {
            return null;
        }

        var port = BinaryPrimitives.ReadUInt16BigEndian(name[2..]);
        switch (BinaryPrimitives.ReadUInt16LittleEndian(name))
        {
            case AfInet:
                return new IPEndPoint(new IPAddress(name.Slice(4, 4)), port);
            case AfInet6 when name.Length >= 28:
                var address = name.Slice(8, 16);
                return IsIpv4Mapped(address)
                    ? new IPEndPoint(new IPAddress(address[12..]), port)
                    : new IPEndPoint(new IPAddress(address, BinaryPrimitives.ReadUInt32LittleEndian(name[24..])), port);
            default:
                return null;
        }
    }

    private static IPEndPoint? Read(SafeHandle socket, bool peer)
    {
        Span<byte> name = stackalloc byte[28]; // sizeof(struct sockaddr_in6)
        return TryName(socket, peer, name, out var length) ? Parse(name[..length]) : null;
    }

    private static bool TryName(SafeHandle handle, bool peer, Span<byte> name, out int length)
    {
        length = 0;
        if (!SocketCalls.TryAddRef(handle, out var fd))
        {
            return false;
        }

        try
        {
            var size = (uint)name.Length;
            fixed (byte* at = name)
            {
                if ((peer ? GetPeerName(fd, at, &size) : GetSockName(fd, at, &size)) != 0)
                {
                    return false;
                }
            }

            length = (int)Math.Min(size, (uint)name.Length);
            return true;
        }
        finally
        {
            handle.DangerousRelease();
        }
    }

    // ::ffff:a.b.c.d
    private static bool IsIpv4Mapped(ReadOnlySpan<byte> address) =>
        address[..10].IndexOfAnyExcept((byte)0) < 0 && address[10] == 0xff && address[11] == 0xff;

    [LibraryImport("libc", EntryPoint = "getsockname", SetLastError = true)]
    private static partial int GetSockName(int fd, byte* name, uint* length);

    [LibraryImport("libc", EntryPoint = "getpeername", SetLastError = true)]
    private static partial int GetPeerName(int fd, byte* name, uint* length);
}
