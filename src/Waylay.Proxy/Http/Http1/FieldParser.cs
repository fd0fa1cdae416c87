namespace Waylay.Proxy.Http.Http1;

/// <summary>
/// Field lines (RFC 9112 §5) and the framing they imply (§6.3), shared by requests, responses and trailers.
/// <code>
///   field-line = field-name ":" OWS field-value OWS CRLF      no space before ':', no obs-fold,
///   field-value: VCHAR / obs-text / SP / HTAB                 never CR, LF, NUL or another CTL
/// </code>
/// </summary>
internal static class FieldParser
{
    /// <summary>Parses one line (without its CRLF) at <paramref name="offset"/> in <paramref name="buffer"/>.</summary>
    public static Http1Error ParseLine(ReadOnlySpan<byte> buffer, int offset, int length, out Http1HeaderField field)
    {
        field = default;
        var line = buffer.Slice(offset, length);
        if (line[0] is (byte)' ' or (byte)'\t')
        {
            return Http1Error.ObsoleteLineFolding;
        }

        var colon = line.IndexOf((byte)':');
        if (colon <= 0)
        {
            return Http1Error.InvalidFieldName; // no colon, or an empty name
        }

        var name = line[..colon];
        var bad = HttpChars.IndexOfNonToken(name);
        if (bad >= 0)
        {
            return name[bad] is (byte)' ' or (byte)'\t' && HttpChars.IsToken(name[..bad]) && HttpChars.TrimOws(name[bad..]).IsEmpty
                ? Http1Error.WhitespaceBeforeColon
                : Http1Error.InvalidFieldName;
        }

        var valueStart = colon + 1;
        var valueEnd = line.Length;
        while (valueStart < valueEnd && line[valueStart] is (byte)' ' or (byte)'\t')
        {
            valueStart++;
        }

        while (valueEnd > valueStart && line[valueEnd - 1] is (byte)' ' or (byte)'\t')
        {
            valueEnd--;
        }

        if (HttpChars.IndexOfNonFieldValue(line[valueStart..valueEnd]) >= 0)
        {
            return Http1Error.InvalidFieldValue;
        }

        field = new Http1HeaderField(offset, colon, offset + valueStart, valueEnd - valueStart, KnownFields.Classify(name));
        return Http1Error.None;
    }

    /// <summary>Parses every field line from <paramref name="start"/> to the head's closing empty line into <paramref name="head"/>.</summary>
    public static Http1Error ParseFields(ReadOnlySpan<byte> buffer, int start, int headLength, Http1Head head, Http1Limits limits)
    {
        var position = start;
        var end = headLength - 2; // the closing CRLF
        while (position < end)
        {
            var length = buffer[position..].IndexOf("\r\n"u8);
            if (head.FieldCount == limits.MaxFields)
            {
                return Http1Error.TooManyHeaders;
            }

            var error = ParseLine(buffer, position, length, out var field);
            if (error != Http1Error.None)
            {
                return error;
            }

            if (field.Kind == KnownField.UnderscoreFraming)
            {
                return Http1Error.UnderscoreFramingField;
            }

            head.AddField(field);
            position += length + 2;
        }

        return Http1Error.None;
    }

    /// <summary>
    /// Content-Length: every line and list element must be the same 1*DIGIT (RFC 9110 §8.6 allows identical
    /// duplicates); -1 when there is none.
    /// </summary>
    public static Http1Error ContentLength(Http1Head head, out long length)
    {
        length = -1;
        for (var i = 0; i < head.FieldCount; i++)
        {
            if (head.FieldKind(i) != KnownField.ContentLength)
            {
                continue;
            }

            var value = head.FieldValue(i);
            foreach (var range in value.Split((byte)','))
            {
                var element = HttpChars.TrimOws(value[range]);
                if (element.IsEmpty)
                {
                    return Http1Error.InvalidContentLength;
                }

                long parsed = 0;
                foreach (var b in element)
                {
                    if (b is < (byte)'0' or > (byte)'9')
                    {
                        return Http1Error.InvalidContentLength;
                    }

                    if (parsed > (long.MaxValue - 9) / 10)
                    {
                        return Http1Error.InvalidContentLength;
                    }

                    parsed = (parsed * 10) + (b - '0');
                }

                if (length >= 0 && parsed != length)
                {
                    return Http1Error.DifferingContentLengths;
                }

                length = parsed;
            }
        }

        return Http1Error.None;
    }

    /// <summary>
    /// Transfer-Encoding across all its lines: exactly one coding, <c>chunked</c>, is accepted. A list not ending in
    /// chunked, chunked twice, or a non-token (an obfuscation like <c>chunked\v</c> or <c>"chunked"</c>) is ambiguous
    /// (400); a valid list ending in chunked with another coding before it (<c>gzip, chunked</c>) is legal HTTP that
    /// Waylay does not implement (501, as Envoy answers).
    /// </summary>
    public static Http1Error TransferEncoding(Http1Head head, out bool present)
    {
        present = false;
        var codings = 0;
        var chunkedSeen = false;
        var lastIsChunked = false;
        for (var i = 0; i < head.FieldCount; i++)
        {
            if (head.FieldKind(i) != KnownField.TransferEncoding)
            {
                continue;
            }

            present = true;
            var value = head.FieldValue(i);
            foreach (var range in value.Split((byte)','))
            {
                var element = HttpChars.TrimOws(value[range]);
                if (element.IsEmpty)
                {
                    continue; // empty list elements are allowed and ignored (RFC 9110 §5.6.1)
                }

                if (!HttpChars.IsToken(element))
                {
                    return Http1Error.InvalidTransferEncoding;
                }

                codings++;
                lastIsChunked = HttpChars.EqualsIgnoreCase(element, "chunked"u8);
                if (lastIsChunked)
                {
                    if (chunkedSeen)
                    {
                        return Http1Error.InvalidTransferEncoding;
                    }

                    chunkedSeen = true;
                }
            }
        }

        if (!present)
        {
            return Http1Error.None;
        }

        if (codings == 0 || !lastIsChunked)
        {
            return Http1Error.InvalidTransferEncoding;
        }

        return codings == 1 ? Http1Error.None : Http1Error.UnsupportedTransferCoding;
    }

    /// <summary>The Connection options: close, keep-alive, upgrade; every other token is recorded as a hop-by-hop field name.</summary>
    public static (bool Close, bool KeepAlive, bool Upgrade) ConnectionOptions(Http1Head head)
    {
        bool close = false, keepAlive = false, upgrade = false;
        for (var i = 0; i < head.FieldCount; i++)
        {
            if (head.FieldKind(i) is not (KnownField.Connection or KnownField.ProxyConnection))
            {
                continue;
            }

            var value = head.FieldValue(i);
            var valueOffset = head.FieldValueStart(i);
            foreach (var range in value.Split((byte)','))
            {
                var element = HttpChars.TrimOws(value[range]);
                if (element.IsEmpty)
                {
                    continue;
                }

                if (HttpChars.EqualsIgnoreCase(element, "close"u8))
                {
                    close = true;
                }
                else if (HttpChars.EqualsIgnoreCase(element, "keep-alive"u8))
                {
                    keepAlive = true;
                }
                else if (HttpChars.EqualsIgnoreCase(element, "upgrade"u8))
                {
                    upgrade = true;
                }
                else if (head.FieldKind(i) == KnownField.Connection)
                {
                    var start = valueOffset + range.Start.GetOffset(value.Length) + (value[range].Length - value[range].TrimStart(" \t"u8).Length);
                    head.AddConnectionToken(start, element.Length);
                }
            }
        }

        return (close, keepAlive, upgrade);
    }
}
