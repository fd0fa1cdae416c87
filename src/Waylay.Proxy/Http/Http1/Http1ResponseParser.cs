using System.Buffers;

namespace Waylay.Proxy.Http.Http1;

/// <summary>
/// Parses response heads from an upstream: <c>HTTP/1.x SP 3DIGIT SP reason CRLF</c>, fields, and the body's framing
/// given the request it answers (RFC 9112 §6.3): HEAD, 1xx, 204 and 304 have none; 101 and a 2xx to CONNECT turn
/// the connection into a tunnel; then chunked, Content-Length, or until the upstream closes. Ambiguous framing is
/// refused here too: a desynchronised upstream connection would hand one client's response to the next.
/// </summary>
internal sealed class Http1ResponseParser(Http1Limits? limits = null)
{
    private readonly Http1Limits _limits = limits ?? Http1Limits.Default;
    private HeadScanner _scanner;

    public Http1ResponseHead Head { get; } = new();

    /// <param name="requestMethod">The method of the request this answers (HEAD and CONNECT change the framing).</param>
    public Http1ParseStatus TryParse(in ReadOnlySequence<byte> buffer, string requestMethod, out SequencePosition consumed, out SequencePosition examined, out Http1Error error)
    {
        consumed = buffer.Start;
        examined = buffer.End;
        var status = _scanner.Scan(buffer, _limits.MaxHeadBytes, out var headStart, out var headEnd, out error);
        if (status != Http1ParseStatus.Complete)
        {
            if (status == Http1ParseStatus.Error)
            {
                _scanner.Reset();
            }

            return status;
        }

        _scanner.Reset();
        Head.Load(buffer.Slice(headStart, headEnd - headStart));
        error = Parse(Head, requestMethod, _limits);
        if (error != Http1Error.None)
        {
            return Http1ParseStatus.Error;
        }

        consumed = examined = buffer.GetPosition(headEnd);
        return Http1ParseStatus.Complete;
    }

    public void Reset() => _scanner.Reset();

    private static Http1Error Parse(Http1ResponseHead head, string requestMethod, Http1Limits limits)
    {
        var buffer = head.Raw;
        var lineLength = buffer.IndexOf("\r\n"u8);
        var line = buffer[..lineLength];

        // :: status-line = HTTP-version SP 3DIGIT SP [ reason-phrase ]; a missing SP before an empty reason is tolerated
        if (line.Length < 12 || line[8] != (byte)' ')
        {
            return Http1Error.InvalidStatusLine;
        }

        if (line[..8].SequenceEqual("HTTP/1.1"u8))
        {
            head.Version = Http1Version.Http11;
        }
        else if (line[..8].SequenceEqual("HTTP/1.0"u8))
        {
            head.Version = Http1Version.Http10;
        }
        else
        {
            return Http1Error.InvalidStatusLine;
        }

        var code = 0;
        for (var i = 9; i < 12; i++)
        {
            if (!char.IsAsciiDigit((char)line[i]))
            {
                return Http1Error.InvalidStatusLine;
            }

            code = (code * 10) + (line[i] - '0');
        }

        if (code < 100 || (line.Length > 12 && line[12] != (byte)' '))
        {
            return Http1Error.InvalidStatusLine;
        }

        if (line.Length > 13 && HttpChars.IndexOfNonFieldValue(line[13..]) >= 0)
        {
            return Http1Error.InvalidStatusLine;
        }

        head.StatusCode = code;
        var error = FieldParser.ParseFields(buffer, lineLength + 2, buffer.Length, head, limits);
        if (error != Http1Error.None)
        {
            return error;
        }

        var (close, keepAlive, _) = FieldParser.ConnectionOptions(head);
        head.KeepAlive = !close && (head.Version == Http1Version.Http11 || keepAlive);

        // :: framing (RFC 9112 §6.3, in its order)
        if (requestMethod == "HEAD" || code is >= 100 and < 200 and not 101 || code is 204 or 304)
        {
            head.Framing = BodyFraming.None;
            return Http1Error.None;
        }

        if (code == 101 || (requestMethod == "CONNECT" && code is >= 200 and < 300))
        {
            head.Framing = BodyFraming.Tunnel;
            head.KeepAlive = false;
            return Http1Error.None;
        }

        error = FieldParser.TransferEncoding(head, out var chunked);
        if (error != Http1Error.None)
        {
            return error;
        }

        error = FieldParser.ContentLength(head, out var length);
        if (error != Http1Error.None)
        {
            return error;
        }

        if (chunked)
        {
            if (length >= 0)
            {
                return Http1Error.ContentLengthWithTransferEncoding;
            }

            if (head.Version == Http1Version.Http10)
            {
                return Http1Error.TransferEncodingInHttp10;
            }

            head.Framing = BodyFraming.Chunked;
        }
        else if (length >= 0)
        {
            head.Framing = length == 0 ? BodyFraming.None : BodyFraming.ContentLength;
            head.ContentLength = length;
        }
        else
        {
            head.Framing = BodyFraming.UntilClose;
            head.KeepAlive = false;
        }

        return Http1Error.None;
    }
}
