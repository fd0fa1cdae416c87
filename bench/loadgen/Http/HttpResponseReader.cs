using System.Buffers.Text;
using System.Net.Sockets;
using System.Text;

namespace Waylay.LoadGen.Http;

/// <summary>
/// Reads HTTP/1.1 responses off a blocking socket: status, then the body framed by Content-Length or chunked, and
/// nothing more (a proxy in the path may re-frame the server's Content-Length body as chunked). Enough for a load
/// generator; not a validating parser.
/// </summary>
internal sealed class HttpResponseReader(Socket socket)
{
    private readonly byte[] buffer = new byte[64 * 1024];
    private int start;
    private int end;

    /// <summary>True when the last response said <c>connection: close</c>: the caller must reconnect.</summary>
    public bool MustClose { get; private set; }

    /// <summary>Reads one whole response and returns its status code.</summary>
    /// <exception cref="IOException">the connection closed or sent something that is not an HTTP/1 response.</exception>
    public int ReadResponse()
    {
        int headEnd;
        while ((headEnd = buffer.AsSpan(start, end - start).IndexOf("\r\n\r\n"u8)) < 0)
        {
            Fill();
        }

        var head = buffer.AsSpan(start, headEnd);
        if (head.Length < 12 || !head.StartsWith("HTTP/1."u8) || !Utf8Parser.TryParse(head.Slice(9, 3), out int status, out _))
        {
            throw new IOException($"not an HTTP/1 response: '{Encoding.ASCII.GetString(head[..Math.Min(head.Length, 40)])}'");
        }

        long length = -1;
        var chunked = false;
        MustClose = false;
        var lines = head[(head.IndexOf("\r\n"u8) + 2)..];
        while (!lines.IsEmpty)
        {
            var eol = lines.IndexOf("\r\n"u8);
            var line = eol < 0 ? lines : lines[..eol];
            lines = eol < 0 ? default : lines[(eol + 2)..];
            var colon = line.IndexOf((byte)':');
            if (colon <= 0)
            {
                continue;
            }

            var name = line[..colon];
            var value = line[(colon + 1)..].Trim((byte)' ');
            if (Ascii.EqualsIgnoreCase(name, "content-length"u8))
            {
                Utf8Parser.TryParse(value, out length, out _);
            }
            else if (Ascii.EqualsIgnoreCase(name, "transfer-encoding"u8))
            {
                chunked = Ascii.EqualsIgnoreCase(value, "chunked"u8);
            }
            else if (Ascii.EqualsIgnoreCase(name, "connection"u8))
            {
                MustClose = Ascii.EqualsIgnoreCase(value, "close"u8);
            }
        }

        start += headEnd + 4;
        if (chunked)
        {
            ReadChunkedBody();
        }
        else if (length >= 0)
        {
            Skip(length);
        }
        else
        {
            throw new IOException("response without Content-Length or chunked framing (a close-delimited body is not expected here)");
        }

        return status;
    }

    private void ReadChunkedBody()
    {
        while (true)
        {
            var line = ReadLine();
            var semicolon = line.IndexOf((byte)';');
            if (!Utf8Parser.TryParse(semicolon < 0 ? line : line[..semicolon], out long size, out _, 'x'))
            {
                throw new IOException("malformed chunk size");
            }

            if (size == 0)
            {
                // Trailers, if any, end with an empty line.
                while (!ReadLine().IsEmpty)
                {
                }

                return;
            }

            Skip(size);
            if (!ReadLine().IsEmpty)
            {
                throw new IOException("chunk data not followed by CRLF");
            }
        }
    }

    /// <summary>The next line without its CRLF; valid until the next read.</summary>
    private ReadOnlySpan<byte> ReadLine()
    {
        int eol;
        while ((eol = buffer.AsSpan(start, end - start).IndexOf("\r\n"u8)) < 0)
        {
            Fill();
        }

        var line = buffer.AsSpan(start, eol);
        start += eol + 2;
        return line;
    }

    private void Skip(long count)
    {
        while (count > 0)
        {
            if (start == end)
            {
                Fill();
            }

            var take = (int)Math.Min(count, end - start);
            start += take;
            count -= take;
        }
    }

    private void Fill()
    {
        if (start == end)
        {
            start = end = 0;
        }
        else if (end == buffer.Length)
        {
            if (start == 0)
            {
                throw new IOException("response head larger than 64 KiB");
            }

            Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
            end -= start;
            start = 0;
        }

        var read = socket.Receive(buffer, end, buffer.Length - end, SocketFlags.None);
        if (read == 0)
        {
            throw new IOException("connection closed by the peer");
        }

        end += read;
    }
}
