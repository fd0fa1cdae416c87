using System.Buffers.Binary;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace Waylay.Linux;

/// <summary>
/// &lt;linux/netlink.h&gt;, &lt;linux/netfilter/nfnetlink.h&gt; and &lt;linux/netfilter/nf_tables.h&gt;: the nf_tables
/// table list, asked of the kernel over a netlink socket instead of by starting <c>nft list tables</c> (capture asks it
/// on every pod start; a process costs more than the question). It answers for the network namespace the process
/// is in.
/// </summary>
public static unsafe partial class Nfnetlink
{
    private const int AfNetlink = 16;
    private const int SockRaw = 3;
    private const int SockCloexec = 0x80000;
    private const int NetlinkNetfilter = 12;          // NETLINK_NETFILTER
    private const ushort NfnlSubsysNftables = 10;      // NFNL_SUBSYS_NFTABLES
    private const ushort NftMsgNewTable = 0;          // NFT_MSG_NEWTABLE: each table of a dump
    private const ushort NftMsgGetTable = 1;          // NFT_MSG_GETTABLE
    private const ushort NlmFRequest = 0x1;
    private const ushort NlmFDump = 0x300;            // NLM_F_ROOT | NLM_F_MATCH
    private const ushort NlmsgError = 2;
    private const ushort NlmsgDone = 3;
    private const ushort NftaTableName = 1;           // NFTA_TABLE_NAME
    private const int HeaderLength = 16;              // struct nlmsghdr
    private const int GenLength = 4;                  // struct nfgenmsg

    /// <summary>The family names nft prints (NFPROTO_*).</summary>
    private static string FamilyName(byte family) => family switch
    {
        1 => "inet",
        2 => "ip",
        3 => "arp",
        5 => "netdev",
        7 => "bridge",
        10 => "ip6",
        _ => family.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>Every table as nft names it ("ip nat", "ip6 waylay-mangle"), or an errno when the kernel refused.</summary>
    public static IReadOnlyList<string> ListTables()
    {
        var fd = Socket(AfNetlink, SockRaw | SockCloexec, NetlinkNetfilter);
        if (fd < 0)
        {
            throw new SocketException(Marshal.GetLastPInvokeError());
        }

        try
        {
            return Dump(fd);
        }
        finally
        {
            Close(fd);
        }
    }

    private static List<string> Dump(int fd)
    {
        Span<byte> request = stackalloc byte[HeaderLength + GenLength];
        request.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(request, (uint)request.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(request[4..], (NfnlSubsysNftables << 8) | NftMsgGetTable);
        BinaryPrimitives.WriteUInt16LittleEndian(request[6..], NlmFRequest | NlmFDump);
        BinaryPrimitives.WriteUInt32LittleEndian(request[8..], 1); // sequence number; the nfgenmsg after it is all zero (AF_UNSPEC, v0)
        Span<byte> kernel = stackalloc byte[12]; // struct sockaddr_nl of the kernel: AF_NETLINK, pid 0, no groups
        kernel.Clear();
        BinaryPrimitives.WriteUInt16LittleEndian(kernel, AfNetlink);
        fixed (byte* r = request)
        fixed (byte* k = kernel)
        {
            if (SendTo(fd, r, request.Length, 0, k, kernel.Length) < 0)
            {
                throw new SocketException(Marshal.GetLastPInvokeError());
            }
        }

        var tables = new List<string>();
        var buffer = new byte[64 * 1024];
        while (true)
        {
            int received;
            fixed (byte* b = buffer)
            {
                received = (int)Receive(fd, b, buffer.Length, 0);
            }

            if (received < 0)
            {
                throw new SocketException(Marshal.GetLastPInvokeError());
            }

            for (var offset = 0; offset + HeaderLength <= received;)
            {
                var message = buffer.AsSpan(offset, received - offset);
                var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(message);
                var type = BinaryPrimitives.ReadUInt16LittleEndian(message[4..]);
                if (length < HeaderLength || length > message.Length)
                {
                    throw new InvalidDataException($"netlink: a message of {length} bytes in a datagram of {message.Length}");
                }

                switch (type)
                {
                    case NlmsgDone:
                        return tables;
                    case NlmsgError:
                        var error = BinaryPrimitives.ReadInt32LittleEndian(message[HeaderLength..]);
                        throw new SocketException(-error);
                    case (NfnlSubsysNftables << 8) | NftMsgNewTable:
                        if (Name(message[(HeaderLength + GenLength)..length]) is { } name)
                        {
                            tables.Add($"{FamilyName(message[HeaderLength])} {name}");
                        }

                        break;
                }

                offset += Align(length);
            }
        }
    }

    /// <summary>NFTA_TABLE_NAME among the attributes (struct nlattr: length, type, value, padded to 4 bytes).</summary>
    private static string? Name(ReadOnlySpan<byte> attributes)
    {
        while (attributes.Length >= 4)
        {
            var length = BinaryPrimitives.ReadUInt16LittleEndian(attributes);
            var type = BinaryPrimitives.ReadUInt16LittleEndian(attributes[2..]) & 0x3fff;
            if (length < 4 || length > attributes.Length)
            {
                return null;
            }

            if (type == NftaTableName)
            {
                return Encoding.UTF8.GetString(attributes[4..length].TrimEnd((byte)0));
            }

            attributes = attributes[Math.Min(Align(length), attributes.Length)..];
        }

        return null;
    }

    private static int Align(int length) => (length + 3) & ~3;

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    private static partial int Socket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "sendto", SetLastError = true)]
    private static partial nint SendTo(int fd, byte* buffer, nint length, int flags, byte* address, int addressLength);

    [LibraryImport("libc", EntryPoint = "recv", SetLastError = true)]
    private static partial nint Receive(int fd, byte* buffer, nint length, int flags);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
