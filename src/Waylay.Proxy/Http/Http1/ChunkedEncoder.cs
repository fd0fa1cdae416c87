using System.Buffers;
using System.Buffers.Text;

namespace Waylay.Proxy.Http.Http1;

/// <summary>
/// Writes canonical chunked framing: <c>HEX CRLF data CRLF</c> per piece, <c>0 CRLF trailers CRLF</c> at the end.
/// No extensions, no leading zeros: the next hop reads exactly what the proxy meant.
/// </summary>
internal static class ChunkedEncoder
{
    /// <summary>One chunk holding <paramref name="data"/>; nothing for an empty piece (a zero-size chunk would end the body).</summary>
    public static void WriteChunk(IBufferWriter<byte> writer, in ReadOnlySequence<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        WriteSize(writer, data.Length);
        foreach (var segment in data)
        {
            writer.Write(segment.Span);
        }

        writer.Write("\r\n"u8);
    }

    public static void WriteChunk(IBufferWriter<byte> writer, ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        WriteSize(writer, data.Length);
        writer.Write(data);
        writer.Write("\r\n"u8);
    }

    /// <summary>The last chunk, the trailer lines as <see cref="Http1BodyReader.Trailers"/> gave them (each ends in CRLF), and the final CRLF.</summary>
    public static void WriteEnd(IBufferWriter<byte> writer, in ReadOnlySequence<byte> trailers = default)
    {
        writer.Write("0\r\n"u8);
        foreach (var segment in trailers)
        {
            writer.Write(segment.Span);
        }

        writer.Write("\r\n"u8);
    }

    private static void WriteSize(IBufferWriter<byte> writer, long length)
    {
        var span = writer.GetSpan(18);
        Utf8Formatter.TryFormat((ulong)length, span, out var written, new StandardFormat('X'));
        span[written] = (byte)'\r';
        span[written + 1] = (byte)'\n';
        writer.Advance(written + 2);
    }
}
