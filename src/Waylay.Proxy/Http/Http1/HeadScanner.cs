using System.Buffers;

namespace Waylay.Proxy.Http.Http1;

/// <summary>
/// Finds where a head ends in bytes that arrive in pieces, line by line, resuming where the last call stopped so a
/// client trickling its headers in costs linear work, not quadratic. It refuses a bare LF at once (no strict parser
/// downstream would agree on where that line ends) and a head past the size limit (431) without waiting for the rest.
/// </summary>
internal struct HeadScanner
{
    /// <summary>Leading empty lines a server should skip before a request line (RFC 9112 §2.2); more is not a client.</summary>
    private const int MaxLeadingEmptyLines = 8;

    private long _headStart;
    private long _scanned;
    private long _searchedTo;
    private int _emptyLines;
    private bool _sawStartLine;

    public void Reset() => this = default;

    /// <summary>Scans <paramref name="buffer"/> (which starts where the message starts, call after call).</summary>
    public Http1ParseStatus Scan(in ReadOnlySequence<byte> buffer, int maxHeadBytes, out long headStart, out long headEnd, out Http1Error error)
    {
        headStart = _headStart;
        headEnd = 0;
        error = Http1Error.None;
        while (true)
        {
            // bytes already searched for a LF without finding one are not searched again
            var from = Math.Max(_scanned, _searchedTo);
            var lfOffset = IndexOfLineFeed(buffer, from);
            if (lfOffset < 0)
            {
                _searchedTo = buffer.Length;
                if (buffer.Length - _headStart > maxHeadBytes)
                {
                    error = Http1Error.HeadTooLarge;
                    return Http1ParseStatus.Error;
                }

                return Http1ParseStatus.NeedMoreData;
            }

            var lineLength = lfOffset - _scanned;
            if (lineLength == 0 || ByteAt(buffer, lfOffset - 1) != (byte)'\r')
            {
                error = Http1Error.BareLineFeed;
                return Http1ParseStatus.Error;
            }

            _scanned = lfOffset + 1;
            if (_scanned - _headStart > maxHeadBytes)
            {
                error = Http1Error.HeadTooLarge;
                return Http1ParseStatus.Error;
            }

            if (lineLength == 1)
            {
                if (_sawStartLine)
                {
                    headStart = _headStart;
                    headEnd = _scanned;
                    return Http1ParseStatus.Complete;
                }

                if (++_emptyLines > MaxLeadingEmptyLines)
                {
                    error = Http1Error.BadRequestLine;
                    return Http1ParseStatus.Error;
                }

                _headStart = _scanned;
                headStart = _headStart;
                continue;
            }

            _sawStartLine = true;
        }
    }

    // A head usually arrives in one segment (the socket reader hands out one buffer): there, spans, not sequence slices.
    private static long IndexOfLineFeed(in ReadOnlySequence<byte> buffer, long from)
    {
        if (buffer.IsSingleSegment)
        {
            var at = buffer.FirstSpan[(int)from..].IndexOf((byte)'\n');
            return at < 0 ? -1 : from + at;
        }

        var rest = buffer.Slice(from);
        var lf = rest.PositionOf((byte)'\n');
        return lf is null ? -1 : from + rest.Slice(0, lf.Value).Length;
    }

    private static byte ByteAt(in ReadOnlySequence<byte> buffer, long offset) =>
        buffer.IsSingleSegment ? buffer.FirstSpan[(int)offset] : buffer.Slice(offset, 1).FirstSpan[0];
}
