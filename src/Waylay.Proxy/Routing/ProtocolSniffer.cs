using System.Buffers;
using System.Text;

namespace Waylay.Proxy.Routing;

/// <summary>What the first bytes of a connection say it is.</summary>
internal enum SniffedProtocol
{
    /// <summary>Not decided yet: read more bytes (the connection core bounds the wait with its sniff timeout).</summary>
    NeedMoreData,
    Http1,

    /// <summary>The HTTP/2 connection preface without TLS (h2c prior knowledge, RFC 9113 §3.4).</summary>
    Http2,

    /// <summary>A TLS ClientHello: relayed as opaque TCP, its SNI recorded.</summary>
    Tls,
    Opaque,
}

/// <summary>The sniffer's verdict, with the TLS details worth logging.</summary>
internal readonly record struct SniffResult(SniffedProtocol Protocol, string? ServerName = null, IReadOnlyList<string>? Alpn = null)
{
    public static SniffResult NeedMore => new(SniffedProtocol.NeedMoreData);

    public static SniffResult Opaque => new(SniffedProtocol.Opaque);
}

/// <summary>
/// Decides a captured connection's protocol from its first bytes, as a pure function (Envoy's http_inspector and
/// tls_inspector in one). It never consumes: the core peeks, and replays the bytes to whichever path is chosen.
/// <code>
///   "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"         ─► Http2
///   0x16 0x03 0x0X … handshake type 1           ─► Tls (SNI, ALPN from the ClientHello)
///   token SP target SP "HTTP/1.x" CRLF          ─► Http1
///   token SP … SP "HTTP/1.x" CRLF (malformed)   ─► Http1, for the HTTP path to refuse with 400
///   anything that cannot become one of those    ─► Opaque, as early as the first byte that rules them out
/// </code>
/// A server-first protocol (MySQL, SMTP) sends nothing, so the answer stays NeedMoreData: the core's timeout then
/// treats it as opaque. Ports declared TCP skip sniffing altogether.
/// </summary>
internal static class ProtocolSniffer
{
    /// <summary>How far a request line is searched for its version before giving up on HTTP/1 (long URLs exist; 8 KiB is Envoy's http_inspector's bound too).</summary>
    public const int MaxRequestLine = 8192;

    /// <summary>A ClientHello bigger than this is not waited for (post-quantum key shares make them ~2 KiB).</summary>
    public const int MaxClientHello = 64 * 1024;

    /// <summary>The h2c preface's length: all a port declared HTTP needs to see (<see cref="SniffDeclaredHttp"/>).</summary>
    public const int Http2PrefaceLength = 24;

    private static ReadOnlySpan<byte> Http2Preface => "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8;

    public static SniffResult Sniff(in ReadOnlySequence<byte> bytes)
    {
        if (bytes.IsSingleSegment)
        {
            return Sniff(bytes.FirstSpan);
        }

        var length = (int)Math.Min(bytes.Length, MaxClientHello + 5);
        var copy = new byte[length];
        bytes.Slice(0, length).CopyTo(copy);
        return Sniff(copy);
    }

    public static SniffResult Sniff(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return SniffResult.NeedMore;
        }

        if (bytes[0] == 0x16)
        {
            return TlsClientHello.Sniff(bytes);
        }

        var preface = Http2Preface;
        var common = Math.Min(bytes.Length, preface.Length);
        if (bytes[..common].SequenceEqual(preface[..common]))
        {
            return common == preface.Length ? new SniffResult(SniffedProtocol.Http2) : SniffResult.NeedMore;
        }

        return SniffHttp1(bytes);
    }

    /// <summary>
    /// The sniff for a port declared HTTP, where the only question is h2c or not: the h2 preface (or a prefix of it,
    /// waited on) is Http2, anything else is Http1 at its first byte, for the HTTP/1 parser to serve or refuse. No TLS
    /// or opaque verdict exists here: a declared HTTP port is never relayed as bytes.
    /// </summary>
    public static SniffResult SniffDeclaredHttp(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return SniffResult.NeedMore;
        }

        var preface = Http2Preface;
        var common = Math.Min(bytes.Length, preface.Length);
        if (bytes[..common].SequenceEqual(preface[..common]))
        {
            return common == preface.Length ? new SniffResult(SniffedProtocol.Http2) : SniffResult.NeedMore;
        }

        return new SniffResult(SniffedProtocol.Http1);
    }

    private static SniffResult SniffHttp1(ReadOnlySpan<byte> bytes)
    {
        // :: method = token (letters in practice), SP
        var i = 0;
        while (i < bytes.Length && IsMethodChar(bytes[i]))
        {
            i++;
        }

        if (i == bytes.Length)
        {
            return i < 32 ? SniffResult.NeedMore : SniffResult.Opaque;
        }

        if (i == 0 || bytes[i] != (byte)' ')
        {
            return SniffResult.Opaque;
        }

        // :: request-target: visible bytes, SP
        var targetStart = ++i;
        while (i < bytes.Length && bytes[i] is > 0x20 and not 0x7F)
        {
            i++;
        }

        if (i == bytes.Length)
        {
            return i < MaxRequestLine ? SniffResult.NeedMore : SniffResult.Opaque;
        }

        if (i == targetStart || bytes[i] != (byte)' ')
        {
            return MalformedRequestLine(bytes, targetStart);
        }

        // :: "HTTP/1." DIGIT CR LF, compared as far as the bytes go
        var version = bytes[(i + 1)..];
        ReadOnlySpan<byte> expected = "HTTP/1."u8;
        var n = Math.Min(version.Length, expected.Length);
        if (!version[..n].SequenceEqual(expected[..n]))
        {
            return MalformedRequestLine(bytes, targetStart);
        }

        if (version.Length <= expected.Length)
        {
            return SniffResult.NeedMore;
        }

        return char.IsAsciiDigit((char)version[7]) ? new SniffResult(SniffedProtocol.Http1) : MalformedRequestLine(bytes, targetStart);
    }

    /// <summary>
    /// A first line that starts as a request line (method SP) but is not a well-formed one: HTTP/1 all the same when
    /// it ends in <c>SP "HTTP/1." DIGIT</c> (<c>GET /a b HTTP/1.1</c>, <c>GET  / HTTP/1.1</c>), so that the HTTP path
    /// refuses it with 400 (RFC 9112 §3 gives such a line no meaning) instead of relaying it to an app whose
    /// lenient parser may read it as a request no policy saw. Anything else ending its first line is opaque (a
    /// Redis inline <c>SET a b</c>); with no line end yet, the sniff waits, bounded as any other.
    /// </summary>
    private static SniffResult MalformedRequestLine(ReadOnlySpan<byte> bytes, int lineStart)
    {
        var rest = bytes[lineStart..];
        var lf = rest.IndexOf((byte)'\n');
        if (lf < 0)
        {
            return bytes.Length < MaxRequestLine ? SniffResult.NeedMore : SniffResult.Opaque;
        }

        var line = rest[..lf];
        if (!line.IsEmpty && line[^1] == (byte)'\r')
        {
            line = line[..^1];
        }

        return line.Length >= 9 && line[^9] == (byte)' ' && line[^8..^1].SequenceEqual("HTTP/1."u8) && char.IsAsciiDigit((char)line[^1])
            ? new SniffResult(SniffedProtocol.Http1)
            : SniffResult.Opaque;
    }

    private static bool IsMethodChar(byte b) => b is >= (byte)'A' and <= (byte)'Z' or >= (byte)'a' and <= (byte)'z' or (byte)'-' or (byte)'_';
}
