namespace Waylay.Proxy.Pools;

/// <summary>
/// Counts the requests an upstream h2 connection carries by reading the frame headers the client side writes
/// (RFC 9113 §4.1: 9 bytes, a 24-bit length, a type, flags and a 31-bit stream id): each HEADERS frame opening a new,
/// higher stream id is one request. The payloads are skipped, never copied; frame headers split across writes are
/// reassembled from a 9-byte scratch. The connection opens with the 24-byte preface, skipped first.
/// </summary>
internal struct Http2FrameCounter
{
    private const int FrameHeaderLength = 9;
    private const byte HeadersFrame = 0x1;
    private const int PrefaceLength = 24;

    private Scratch _header;
    private int _headerFill;
    private long _skip;
    private bool _started;
    private uint _lastStream;

    public long Requests { get; private set; }

    public void Written(ReadOnlySpan<byte> bytes)
    {
        if (!_started)
        {
            _started = true;
            _skip = PrefaceLength;
        }

        while (!bytes.IsEmpty)
        {
            if (_skip > 0)
            {
                var skipped = (int)Math.Min(_skip, bytes.Length);
                _skip -= skipped;
                bytes = bytes[skipped..];
                continue;
            }

            var take = Math.Min(FrameHeaderLength - _headerFill, bytes.Length);
            bytes[..take].CopyTo(((Span<byte>)_header)[_headerFill..]);
            _headerFill += take;
            bytes = bytes[take..];
            if (_headerFill < FrameHeaderLength)
            {
                return;
            }

            _headerFill = 0;
            ReadOnlySpan<byte> header = _header;
            _skip = (header[0] << 16) | (header[1] << 8) | header[2];
            var stream = (uint)(((header[5] & 0x7f) << 24) | (header[6] << 16) | (header[7] << 8) | header[8]);
            if (header[3] == HeadersFrame && stream > _lastStream)
            {
                // Client streams are odd and increasing (§5.1.1): a higher id is a new request; trailers reuse theirs.
                _lastStream = stream;
                Requests++;
            }
        }
    }

    [System.Runtime.CompilerServices.InlineArray(FrameHeaderLength)]
    private struct Scratch
    {
        private byte _first;
    }
}
