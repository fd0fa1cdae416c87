namespace Waylay.Proxy.Http.Http1;

/// <summary>
/// The line that opens a chunk (RFC 9112 §7.1.1): <c>chunk-size [ chunk-ext ] CRLF</c> with
/// <c>chunk-ext = *( BWS ";" BWS name [ BWS "=" BWS ( token / quoted-string ) ] )</c>. Strict: no whitespace except
/// the BWS the grammar allows before ';' and '=', no CTLs, sizes up to 2^63-1.
/// </summary>
internal static class ChunkLine
{
    /// <summary>Parses <c>chunk-size [ chunk-ext ] CR</c> (the LF already split off).</summary>
    public static Http1Error Parse(ReadOnlySpan<byte> line, out long size)
    {
        size = 0;
        if (line.IsEmpty || line[^1] != (byte)'\r')
        {
            return Http1Error.BareLineFeed;
        }

        line = line[..^1];
        ulong value = 0;
        var i = 0;
        while (i < line.Length && char.IsAsciiHexDigit((char)line[i]))
        {
            if (value > (ulong)long.MaxValue >> 4)
            {
                return Http1Error.ChunkSizeOverflow;
            }

            value = (value << 4) | (uint)HexValue(line[i]);
            i++;
        }

        if (i == 0)
        {
            return Http1Error.InvalidChunkSize;
        }

        if (value > long.MaxValue)
        {
            return Http1Error.ChunkSizeOverflow;
        }

        size = (long)value;
        if (i == line.Length)
        {
            return Http1Error.None;
        }

        // :: chunk extensions: validated, then dropped by re-framing
        var sawExtension = false;
        while (true)
        {
            i = SkipBws(line, i);
            if (i == line.Length)
            {
                return sawExtension ? Http1Error.InvalidChunkExtension : Http1Error.InvalidChunkSize; // "5 " or "5;a "
            }

            if (line[i] != (byte)';')
            {
                return sawExtension ? Http1Error.InvalidChunkExtension : Http1Error.InvalidChunkSize;
            }

            sawExtension = true;
            i = SkipBws(line, i + 1);
            var nameStart = i;
            while (i < line.Length && HttpChars.IsToken(line[i]))
            {
                i++;
            }

            if (i == nameStart)
            {
                return Http1Error.InvalidChunkExtension;
            }

            var afterName = SkipBws(line, i);
            if (afterName < line.Length && line[afterName] == (byte)'=')
            {
                i = SkipBws(line, afterName + 1);
                if (i < line.Length && line[i] == (byte)'"')
                {
                    i = SkipQuotedString(line, i);
                    if (i < 0)
                    {
                        return Http1Error.InvalidChunkExtension;
                    }
                }
                else
                {
                    var valueStart = i;
                    while (i < line.Length && HttpChars.IsToken(line[i]))
                    {
                        i++;
                    }

                    if (i == valueStart)
                    {
                        return Http1Error.InvalidChunkExtension;
                    }
                }
            }

            if (i == line.Length)
            {
                return Http1Error.None;
            }
        }
    }

    private static int SkipBws(ReadOnlySpan<byte> line, int i)
    {
        while (i < line.Length && line[i] is (byte)' ' or (byte)'\t')
        {
            i++;
        }

        return i;
    }

    /// <summary>quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE (RFC 9110 §5.6.4); returns the index after it, or -1.</summary>
    private static int SkipQuotedString(ReadOnlySpan<byte> line, int i)
    {
        i++;
        while (i < line.Length)
        {
            var b = line[i];
            if (b == (byte)'"')
            {
                return i + 1;
            }

            if (b == (byte)'\\')
            {
                if (i + 1 >= line.Length || !HttpChars.IsFieldValue(line[i + 1]))
                {
                    return -1;
                }

                i += 2;
                continue;
            }

            if (!HttpChars.IsFieldValue(b))
            {
                return -1;
            }

            i++;
        }

        return -1;
    }

    private static int HexValue(byte b) => b <= (byte)'9' ? b - '0' : (b | 0x20) - 'a' + 10;
}
