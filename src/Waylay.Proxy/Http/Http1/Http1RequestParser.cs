using System.Buffers;
using System.Text;

namespace Waylay.Proxy.Http.Http1;

/// <summary>
/// Parses request heads off a connection's byte stream (a PipeReader's buffer), strictly as RFC 9112 says:
/// <code>
///   [CRLF…] method SP request-target SP HTTP/1.x CRLF    one SP each, nothing else
///   *( field-line CRLF )                                    see FieldParser
///   CRLF
/// </code>
/// then decides the framing (§6.3): Transfer-Encoding chunked, or one Content-Length, or no body — and refuses
/// every ambiguous combination. One parser per connection; it keeps its place between calls.
/// </summary>
internal sealed class Http1RequestParser(Http1Limits? limits = null)
{
    private readonly Http1Limits _limits = limits ?? Http1Limits.Default;
    private HeadScanner _scanner;

    /// <summary>The last complete head; valid until the next call.</summary>
    public Http1RequestHead Head { get; } = new();

    /// <summary>
    /// Looks for a complete head at the start of <paramref name="buffer"/>. On <see cref="Http1ParseStatus.Complete"/>
    /// <see cref="Head"/> holds it and <paramref name="consumed"/> is where the body starts; on NeedMoreData advance
    /// the reader to (<paramref name="consumed"/>, <paramref name="examined"/>) and call again with more bytes.
    /// </summary>
    public Http1ParseStatus TryParse(in ReadOnlySequence<byte> buffer, out SequencePosition consumed, out SequencePosition examined, out Http1Error error)
    {
        consumed = buffer.Start;
        examined = buffer.End;
        var status = _scanner.Scan(buffer, _limits.MaxHeadBytes, out var headStart, out var headEnd, out error);
        if (status != Http1ParseStatus.Complete)
        {
            if (status == Http1ParseStatus.NeedMoreData && !MayStartRequestLine(buffer.FirstSpan))
            {
                // Not waited on: bytes that cannot begin a request line (a binary protocol, a TLS ClientHello on a
                // port declared HTTP) are refused at once, as Envoy's codec refuses the first byte outside a method.
                error = Http1Error.BadRequestLine;
                status = Http1ParseStatus.Error;
            }

            if (status == Http1ParseStatus.Error)
            {
                _scanner.Reset();
            }

            return status;
        }

        _scanner.Reset();
        Head.Load(buffer.Slice(headStart, headEnd - headStart));
        error = Parse(Head, _limits);
        if (error != Http1Error.None)
        {
            return Http1ParseStatus.Error;
        }

        consumed = examined = buffer.GetPosition(headEnd);
        return Http1ParseStatus.Complete;
    }

    /// <summary>Forgets a partly scanned head (after an error, or when the connection is reused for something else).</summary>
    public void Reset() => _scanner.Reset();

    /// <summary>
    /// Whether an incomplete head can still become a request: after any empty lines (§2.2), a method (a token) so far,
    /// or a method and SP. Only a head that has not arrived whole pays for this look at its first bytes.
    /// </summary>
    private static bool MayStartRequestLine(ReadOnlySpan<byte> bytes)
    {
        var start = bytes.IndexOfAnyExcept((byte)'\r', (byte)'\n');
        if (start < 0)
        {
            return true;
        }

        var method = bytes[start..];
        var end = HttpChars.IndexOfNonToken(method);
        return end < 0 || (end > 0 && method[end] == (byte)' ');
    }

    private static Http1Error Parse(Http1RequestHead head, Http1Limits limits)
    {
        var buffer = head.Raw;
        var lineLength = buffer.IndexOf("\r\n"u8);
        var error = ParseRequestLine(head, buffer[..lineLength]);
        if (error != Http1Error.None)
        {
            return error;
        }

        error = FieldParser.ParseFields(buffer, lineLength + 2, buffer.Length, head, limits);
        return error != Http1Error.None ? error : Derive(head);
    }

    private static Http1Error ParseRequestLine(Http1RequestHead head, ReadOnlySpan<byte> line)
    {
        // :: method = token, then exactly one SP
        var methodLength = HttpChars.IndexOfNonToken(line);
        if (methodLength < 0)
        {
            methodLength = line.Length;
        }

        if (methodLength == 0 || methodLength == line.Length || line[methodLength] != (byte)' ')
        {
            return Http1Error.BadRequestLine;
        }

        // :: request-target: visible bytes only, then exactly one SP
        var targetStart = methodLength + 1;
        var targetLength = HttpChars.IndexOfNonTarget(line[targetStart..]);
        var targetEnd = targetLength < 0 ? line.Length : targetStart + targetLength;

        if (targetEnd == targetStart || targetEnd == line.Length || line[targetEnd] != (byte)' ')
        {
            return Http1Error.BadRequestLine;
        }

        // :: HTTP-version = "HTTP/" DIGIT "." DIGIT, case-sensitive (RFC 9112 §2.3)
        var version = line[(targetEnd + 1)..];
        if (version.SequenceEqual("HTTP/1.1"u8))
        {
            head.Version = Http1Version.Http11;
        }
        else if (version.SequenceEqual("HTTP/1.0"u8))
        {
            head.Version = Http1Version.Http10;
        }
        else
        {
            return version.Length == 8 && version.StartsWith("HTTP/"u8) && char.IsAsciiDigit((char)version[5]) && version[6] == (byte)'.' && char.IsAsciiDigit((char)version[7])
                ? Http1Error.UnsupportedHttpVersion
                : Http1Error.BadRequestLine;
        }

        head.Method = Methods.Intern(line[..methodLength]);
        head.SetTarget(targetStart, targetEnd - targetStart);
        return ParseTarget(head, line[targetStart..targetEnd], targetStart);
    }

    private static Http1Error ParseTarget(Http1RequestHead head, ReadOnlySpan<byte> target, int offset)
    {
        if (head.Method == "CONNECT")
        {
            // authority-form: host:port and nothing else (RFC 9112 §3.2.3)
            if (!Authority.IsValid(target, requirePort: true))
            {
                return Http1Error.InvalidRequestTarget;
            }

            head.TargetForm = RequestTargetForm.Authority;
            head.SetAuthority(offset, target.Length);
            head.PathAndQuery = Encoding.Latin1.GetString(target);
            return Http1Error.None;
        }

        // a fragment is never sent (RFC 9110 §4.2.5); servers disagree on what '#' in a target means, so refuse it (Envoy does too)
        if (target.Contains((byte)'#'))
        {
            return Http1Error.InvalidRequestTarget;
        }

        if (target[0] == (byte)'/')
        {
            head.TargetForm = RequestTargetForm.Origin;
            // The root is the most common target of all (health checks, front pages): one string for every request.
            head.PathAndQuery = target.Length == 1 ? "/" : Encoding.Latin1.GetString(target);
            return Http1Error.None;
        }

        if (target.Length == 1 && target[0] == (byte)'*')
        {
            if (head.Method != "OPTIONS")
            {
                return Http1Error.InvalidRequestTarget;
            }

            head.TargetForm = RequestTargetForm.Asterisk;
            head.PathAndQuery = "*";
            return Http1Error.None;
        }

        // :: absolute-form: scheme "://" authority [ path-abempty ] [ "?" query ]
        int schemeLength;
        if (StartsWithIgnoreCase(target, "http://"u8))
        {
            schemeLength = 7;
            head.Scheme = "http";
        }
        else if (StartsWithIgnoreCase(target, "https://"u8))
        {
            schemeLength = 8;
            head.Scheme = "https";
        }
        else
        {
            return Http1Error.InvalidRequestTarget;
        }

        var rest = target[schemeLength..];
        var authorityLength = rest.IndexOfAny((byte)'/', (byte)'?');
        if (authorityLength < 0)
        {
            authorityLength = rest.Length;
        }

        var authority = rest[..authorityLength];
        if (authority.IsEmpty || !Authority.IsValid(authority, requirePort: false))
        {
            return Http1Error.InvalidRequestTarget;
        }

        head.TargetForm = RequestTargetForm.Absolute;
        head.SetAuthority(offset + schemeLength, authorityLength);
        var path = rest[authorityLength..];
        head.PathAndQuery = path.IsEmpty ? "/" : path[0] == (byte)'?' ? "/" + Encoding.Latin1.GetString(path) : Encoding.Latin1.GetString(path);
        return Http1Error.None;
    }

    private static Http1Error Derive(Http1RequestHead head)
    {
        // :: Host — exactly one in HTTP/1.1, valid (RFC 9112 §3.2); absolute-form still needs it, but its authority wins.
        var hosts = 0;
        var hostIndex = -1;
        for (var i = 0; i < head.FieldCount; i++)
        {
            if (head.FieldKind(i) == KnownField.Host)
            {
                hosts++;
                hostIndex = i;
            }
        }

        if (hosts > 1)
        {
            return Http1Error.MultipleHost;
        }

        if (hosts == 0 && head.Version == Http1Version.Http11)
        {
            return Http1Error.MissingHost;
        }

        if (hostIndex >= 0)
        {
            var host = head.FieldValue(hostIndex);
            if (!host.IsEmpty && !Authority.IsValid(host, requirePort: false))
            {
                return Http1Error.InvalidHost;
            }

            if (head.TargetForm is RequestTargetForm.Origin or RequestTargetForm.Asterisk)
            {
                head.SetAuthority(head.FieldValueStart(hostIndex), host.Length);
            }
        }

        // :: framing (RFC 9112 §6.3): Transfer-Encoding, else Content-Length, else no body
        var error = FieldParser.TransferEncoding(head, out var chunked);
        if (error != Http1Error.None)
        {
            return chunked && head.Version == Http1Version.Http10 ? Http1Error.TransferEncodingInHttp10 : error;
        }

        error = FieldParser.ContentLength(head, out var length);
        if (error != Http1Error.None)
        {
            return error;
        }

        if (chunked)
        {
            if (head.Version == Http1Version.Http10)
            {
                return Http1Error.TransferEncodingInHttp10; // §6.1: framing of an HTTP/1.0 message with TE is faulty
            }

            if (length >= 0)
            {
                return Http1Error.ContentLengthWithTransferEncoding;
            }

            head.Framing = BodyFraming.Chunked;
        }
        else if (length > 0)
        {
            head.Framing = BodyFraming.ContentLength;
            head.ContentLength = length;
        }

        // :: persistence (§9.3) and upgrade (RFC 9110 §7.8)
        var (close, keepAlive, upgrade) = FieldParser.ConnectionOptions(head);
        head.KeepAlive = !close && (head.Version == Http1Version.Http11 || keepAlive);
        if (upgrade && head.Version == Http1Version.Http11)
        {
            // h2c is not upgraded to, as in Envoy: the Upgrade and its HTTP2-Settings (both hop-by-hop) are dropped and
            // the request goes on as HTTP/1.1, so it is still routed per request; h2c clients use prior knowledge.
            var protocol = head.GetField("upgrade");
            head.Upgrade = string.Equals(protocol, "h2c", StringComparison.OrdinalIgnoreCase) ? null : protocol;
        }

        for (var i = 0; i < head.FieldCount; i++)
        {
            if (head.FieldKind(i) == KnownField.Expect && HttpChars.EqualsIgnoreCase(head.FieldValue(i), "100-continue"u8))
            {
                head.ExpectContinue = true;
            }
        }

        return Http1Error.None;
    }

    private static bool StartsWithIgnoreCase(ReadOnlySpan<byte> text, ReadOnlySpan<byte> lowerPrefix) =>
        text.Length >= lowerPrefix.Length && HttpChars.EqualsIgnoreCase(text[..lowerPrefix.Length], lowerPrefix);
}
