using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Waylay.Linux;

/// <summary>&lt;netinet/in.h&gt; and &lt;linux/netfilter_ipv4.h&gt;: socket options the sidecar needs.</summary>
public static class LinuxSocket
{
    public const int SolIp = 0;
    public const int SolIpv6 = 41;

    /// <summary>SO_ORIGINAL_DST (linux/netfilter_ipv4.h) and IP6T_SO_ORIGINAL_DST (linux/netfilter_ipv6/ip6_tables.h): both 80.</summary>
    public const int SoOriginalDst = 80;

    /// <summary>IP_TRANSPARENT: lets a listener accept connections for addresses that are not its own (TPROXY).</summary>
    public const int IpTransparent = 19;

    /// <summary>IPV6_TRANSPARENT.</summary>
    public const int Ipv6Transparent = 75;

    /// <summary>IP_FREEBIND (linux/in.h): bind an address no interface has yet (the inbound source 127.0.0.6 / ::6).</summary>
    public const int IpFreebind = 15;

    /// <summary>IPV6_FREEBIND (linux/in6.h).</summary>
    public const int Ipv6Freebind = 78;

    /// <summary>
    /// Reads where the peer originally connected to before a nat REDIRECT rewrote it. Conntrack answers this for any
    /// tracked socket, redirected or not, so the caller compares the result with the local endpoint to tell them apart.
    /// The kernel fills only as much as the family needs and reports the buffer size back, so the family field decides.
    /// </summary>
    public static bool TryGetOriginalDestination(Socket socket, out IPEndPoint destination) =>
        TryGetOriginalDestination(socket.SafeHandle, socket.AddressFamily == AddressFamily.InterNetwork || SocketNames.LocalIsIpv4Mapped(socket), out destination);

    /// <summary>
    /// The same for a descriptor without a .NET Socket (<see cref="TcpAccept"/>); <paramref name="ipv4"/>: its own
    /// address is IPv4 (plain, or mapped on a dual-mode socket), so conntrack is asked at SOL_IP.
    /// </summary>
    public static unsafe bool TryGetOriginalDestination(SafeHandle socket, bool ipv4, out IPEndPoint destination)
    {
        destination = null!;
        if (!SocketCalls.TryAddRef(socket, out var fd))
        {
            return false;
        }

        Span<byte> buffer = stackalloc byte[28]; // sizeof(struct sockaddr_in6)
        var length = (uint)buffer.Length;
        try
        {
            fixed (byte* at = buffer)
            {
                if (SocketCalls.GetOption(fd, ipv4 ? SolIp : SolIpv6, SoOriginalDst, at, &length) != 0)
                {
                    return false;
                }
            }
        }
        finally
        {
            socket.DangerousRelease();
        }

        // The kernel fills only as much as the family needs; sockaddr_in6's scope sits in the part it may leave out.
        if (length < 8 || SocketNames.Parse(buffer) is not { } parsed)
        {
            return false;
        }

        destination = parsed;
        return true;
    }

    /// <summary>Marks a listener transparent so TPROXY can hand it connections addressed to other IPs.</summary>
    public static void SetTransparent(Socket socket)
    {
        if (socket.AddressFamily == AddressFamily.InterNetworkV6)
        {
            socket.SetRawSocketOption(SolIpv6, Ipv6Transparent, BitConverter.GetBytes(1));
            if (!socket.DualMode)
            {
                return;
            }
        }

        socket.SetRawSocketOption(SolIp, IpTransparent, BitConverter.GetBytes(1));
    }

    /// <summary>Lets <paramref name="socket"/> bind an address no interface has (IP_FREEBIND / IPV6_FREEBIND).</summary>
    public static void SetFreebind(Socket socket)
    {
        if (socket.AddressFamily == AddressFamily.InterNetworkV6)
        {
            socket.SetRawSocketOption(SolIpv6, Ipv6Freebind, BitConverter.GetBytes(1));
        }
        else
        {
            socket.SetRawSocketOption(SolIp, IpFreebind, BitConverter.GetBytes(1));
        }
    }
}
