using System.Buffers;
using System.Text;

namespace Waylay.Proxy.Routing;

/// <summary>
/// The part of a TLS ClientHello a sidecar needs (RFC 8446 §4.1.2, RFC 6066 §3 server_name, RFC 7301 ALPN):
/// the handshake may span several records, which are reassembled up to <see cref="ProtocolSniffer.MaxClientHello"/>.
/// </summary>
internal static class TlsClientHello
{
    public static SniffResult Sniff(ReadOnlySpan<byte> bytes)
    {
        // :: record header: type 22 (handshake), legacy version 3.x, length
        if (bytes.Length >= 2 && bytes[1] != 0x03)
        {
            return SniffResult.Opaque;
        }

        if (bytes.Length >= 3 && bytes[2] > 0x04)
        {
            return SniffResult.Opaque;
        }

        // :: reassemble handshake bytes from consecutive handshake records until the ClientHello is complete
        var handshake = new ArrayBufferWriter<byte>();
        var offset = 0;
        var needed = -1;
        while (true)
        {
            if (bytes.Length - offset < 5)
            {
                return SniffResult.NeedMore;
            }

            if (bytes[offset] != 0x16 || bytes[offset + 1] != 0x03)
            {
                return SniffResult.Opaque;
            }

            var recordLength = (bytes[offset + 3] << 8) | bytes[offset + 4];
            if (recordLength == 0 || recordLength > (1 << 14))
            {
                return SniffResult.Opaque;
            }

            var available = Math.Min(recordLength, bytes.Length - offset - 5);
            handshake.Write(bytes.Slice(offset + 5, available));
            if (needed < 0 && handshake.WrittenCount >= 4)
            {
                var h = handshake.WrittenSpan;
                if (h[0] != 0x01)
                {
                    return new SniffResult(SniffedProtocol.Tls); // a handshake, but not a ClientHello: still TLS
                }

                needed = 4 + ((h[1] << 16) | (h[2] << 8) | h[3]);
                if (needed > ProtocolSniffer.MaxClientHello)
                {
                    return new SniffResult(SniffedProtocol.Tls);
                }
            }

            if (needed >= 0 && handshake.WrittenCount >= needed)
            {
                return Parse(handshake.WrittenSpan[4..needed]);
            }

            if (available < recordLength)
            {
                return SniffResult.NeedMore;
            }

            offset += 5 + recordLength;
        }
    }

    private static SniffResult Parse(ReadOnlySpan<byte> hello)
    {
        // legacy_version(2) random(32) session_id<0..32> cipher_suites<2..2^16-2> compression<1..2^8-1> extensions<8..2^16-1>
        var tls = new SniffResult(SniffedProtocol.Tls);
        var p = 34;
        if (!Skip8(hello, ref p) || !Skip16(hello, ref p) || !Skip8(hello, ref p))
        {
            return tls;
        }

        if (p + 2 > hello.Length)
        {
            return tls; // no extensions at all
        }

        var end = Math.Min(hello.Length, p + 2 + ((hello[p] << 8) | hello[p + 1]));
        p += 2;
        string? sni = null;
        List<string>? alpn = null;
        while (p + 4 <= end)
        {
            var type = (hello[p] << 8) | hello[p + 1];
            var length = (hello[p + 2] << 8) | hello[p + 3];
            p += 4;
            if (p + length > end)
            {
                break;
            }

            var data = hello.Slice(p, length);
            if (type == 0)
            {
                sni = ServerName(data);
            }
            else if (type == 16)
            {
                alpn = Protocols(data);
            }

            p += length;
        }

        return new SniffResult(SniffedProtocol.Tls, sni, alpn);
    }

    private static string? ServerName(ReadOnlySpan<byte> data)
    {
        // server_name_list<1..2^16-1>: name_type(1) HostName<1..2^16-1>
        if (data.Length < 2)
        {
            return null;
        }

        var p = 2;
        while (p + 3 <= data.Length)
        {
            var type = data[p];
            var length = (data[p + 1] << 8) | data[p + 2];
            p += 3;
            if (p + length > data.Length)
            {
                return null;
            }

            if (type == 0)
            {
                var name = data.Slice(p, length);
                foreach (var b in name)
                {
                    if (b is <= 0x20 or >= 0x7F)
                    {
                        return null; // not a DNS name: do not log arbitrary bytes
                    }
                }

                return Encoding.ASCII.GetString(name);
            }

            p += length;
        }

        return null;
    }

    private static List<string>? Protocols(ReadOnlySpan<byte> data)
    {
        if (data.Length < 2)
        {
            return null;
        }

        var list = new List<string>();
        var p = 2;
        while (p < data.Length)
        {
            var length = data[p++];
            if (p + length > data.Length)
            {
                break;
            }

            list.Add(Encoding.ASCII.GetString(data.Slice(p, length)));
            p += length;
        }

        return list;
    }

    private static bool Skip8(ReadOnlySpan<byte> data, ref int p)
    {
        if (p + 1 > data.Length)
        {
            return false;
        }

        p += 1 + data[p];
        return p <= data.Length;
    }

    private static bool Skip16(ReadOnlySpan<byte> data, ref int p)
    {
        if (p + 2 > data.Length)
        {
            return false;
        }

        p += 2 + ((data[p] << 8) | data[p + 1]);
        return p <= data.Length;
    }
}
