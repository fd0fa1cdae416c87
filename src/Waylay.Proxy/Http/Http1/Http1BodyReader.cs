using System.Buffers;

namespace Waylay.Proxy.Http.Http1;

/// <summary>What one <see cref="Http1BodyReader.Read"/> produced.</summary>
internal enum Http1BodyStatus
{
    /// <summary><c>data</c> holds body bytes to forward; call again.</summary>
    Data,

    /// <summary>Advance the reader and call again when more bytes have arrived.</summary>
    NeedMoreData,

    /// <summary>The body is over; <c>consumed</c> is where the next message starts.</summary>
    Complete,
    Error,
}

/// <summary>
/// Reads one message body off a connection, whatever its framing, handing out the payload as slices of the input
/// (no copy) for the caller to forward. For chunked bodies the framing itself is validated strictly and dropped:
/// the caller re-frames with <see cref="ChunkedEncoder"/>, so the next hop sees canonical chunks and can never
/// disagree with the proxy about where the body ends.
/// <code>
///   chunked-body = *chunk last-chunk trailer-section CRLF              RFC 9112 §7.1
///   chunk        = chunk-size [ chunk-ext ] CRLF chunk-data CRLF        size: 1*HEXDIG, at most 2^63-1
///   chunk-ext    = *( BWS ";" BWS name [ BWS "=" BWS ( token / quoted-string ) ] )
/// </code>
/// Usage per read: <c>Read</c> → forward <c>data</c> → <c>reader.AdvanceTo(consumed, examined)</c>.
/// </summary>
internal sealed class Http1BodyReader(Http1Limits? limits = null)
{
    private readonly Http1Limits _limits = limits ?? Http1Limits.Default;
    private BodyFraming _framing;
    private long _remaining;
    private ChunkState _state;

    private enum ChunkState
    {
        Size,
        Data,
        DataEnd,
        Trailers,
        Done,
    }

    /// <summary>The trailer field lines (each with its CRLF) of a chunked body; valid after Complete until the reader advances.</summary>
    public ReadOnlySequence<byte> Trailers { get; private set; }

    /// <summary>Payload bytes handed out so far (the body's decoded length).</summary>
    public long BytesRead { get; private set; }

    public BodyFraming Framing => _framing;

    /// <summary>Starts a new body.</summary>
    public void Start(BodyFraming framing, long contentLength = 0)
    {
        _framing = framing;
        _remaining = framing == BodyFraming.ContentLength ? contentLength : 0;
        _state = ChunkState.Size;
        Trailers = default;
        BytesRead = 0;
    }

    public void Start(Http1Head head) => Start(head.Framing, head.ContentLength);

    /// <param name="isFinalBlock">The connection has no more bytes (the PipeReader completed).</param>
    public Http1BodyStatus Read(in ReadOnlySequence<byte> buffer, bool isFinalBlock, out ReadOnlySequence<byte> data, out SequencePosition consumed, out SequencePosition examined, out Http1Error error)
    {
        data = default;
        error = Http1Error.None;
        consumed = examined = buffer.Start;
        switch (_framing)
        {
            case BodyFraming.None:
                return Http1BodyStatus.Complete;
            case BodyFraming.ContentLength:
                if (_remaining == 0)
                {
                    return Http1BodyStatus.Complete;
                }

                if (buffer.IsEmpty)
                {
                    examined = buffer.End;
                    return End(isFinalBlock, out error);
                }

                data = buffer.Slice(0, Math.Min(_remaining, buffer.Length));
                _remaining -= data.Length;
                BytesRead += data.Length;
                consumed = examined = data.End;
                return Http1BodyStatus.Data;
            case BodyFraming.Chunked:
                return ReadChunked(buffer, isFinalBlock, out data, out consumed, out examined, out error);
            default: // until close, tunnel
                if (buffer.IsEmpty)
                {
                    examined = buffer.End;
                    return isFinalBlock ? Http1BodyStatus.Complete : Http1BodyStatus.NeedMoreData;
                }

                data = buffer;
                BytesRead += data.Length;
                consumed = examined = buffer.End;
                return Http1BodyStatus.Data;
        }
    }

    private static Http1BodyStatus End(bool isFinalBlock, out Http1Error error)
    {
        error = isFinalBlock ? Http1Error.UnexpectedEndOfBody : Http1Error.None;
        return isFinalBlock ? Http1BodyStatus.Error : Http1BodyStatus.NeedMoreData;
    }

    private Http1BodyStatus ReadChunked(in ReadOnlySequence<byte> buffer, bool isFinalBlock, out ReadOnlySequence<byte> data, out SequencePosition consumed, out SequencePosition examined, out Http1Error error)
    {
        data = default;
        error = Http1Error.None;
        var reader = new SequenceReader<byte>(buffer);
        byte[]? scratch = null;
        while (true)
        {
            consumed = reader.Position;
            examined = buffer.End;
            switch (_state)
            {
                case ChunkState.Size:
                {
                    if (!reader.TryReadTo(out ReadOnlySequence<byte> line, (byte)'\n'))
                    {
                        if (reader.Remaining > _limits.MaxChunkLineBytes)
                        {
                            return Fail(Http1Error.ChunkLineTooLong, out error);
                        }

                        return End(isFinalBlock, out error);
                    }

                    if (line.Length > _limits.MaxChunkLineBytes)
                    {
                        return Fail(Http1Error.ChunkLineTooLong, out error);
                    }

                    var parsed = ChunkLine.Parse(Contiguous(line, ref scratch), out var size);
                    if (parsed != Http1Error.None)
                    {
                        return Fail(parsed, out error);
                    }

                    if (size == 0)
                    {
                        _state = ChunkState.Trailers;
                    }
                    else
                    {
                        _remaining = size;
                        _state = ChunkState.Data;
                    }

                    break;
                }

                case ChunkState.Data:
                {
                    if (reader.End)
                    {
                        return End(isFinalBlock, out error);
                    }

                    var length = Math.Min(_remaining, reader.Remaining);
                    data = buffer.Slice(reader.Position, length);
                    reader.Advance(length);
                    _remaining -= length;
                    BytesRead += length;
                    if (_remaining == 0)
                    {
                        _state = ChunkState.DataEnd;
                    }

                    consumed = examined = reader.Position;
                    return Http1BodyStatus.Data;
                }

                case ChunkState.DataEnd:
                {
                    // chunk-data must be followed by exactly CRLF: "5\r\nhelloXX\r\n" is how TE.CL desyncs start
                    if (!reader.TryRead(out var cr))
                    {
                        return End(isFinalBlock, out error);
                    }

                    if (cr != (byte)'\r')
                    {
                        return Fail(Http1Error.MissingChunkTerminator, out error);
                    }

                    if (!reader.TryRead(out var lf))
                    {
                        return End(isFinalBlock, out error);
                    }

                    if (lf != (byte)'\n')
                    {
                        return Fail(Http1Error.MissingChunkTerminator, out error);
                    }

                    _state = ChunkState.Size;
                    break;
                }

                case ChunkState.Trailers:
                    return ReadTrailers(buffer, ref reader, isFinalBlock, out consumed, out examined, out error);

                default:
                    return Http1BodyStatus.Complete;
            }
        }
    }

    /// <summary>Validates the whole trailer section before handing any of it on (it is bounded by MaxTrailerBytes).</summary>
    private Http1BodyStatus ReadTrailers(in ReadOnlySequence<byte> buffer, ref SequenceReader<byte> reader, bool isFinalBlock, out SequencePosition consumed, out SequencePosition examined, out Http1Error error)
    {
        var start = reader.Position;
        var startConsumed = reader.Consumed;
        consumed = start;
        examined = buffer.End;
        error = Http1Error.None;
        byte[]? scratch = null;
        while (true)
        {
            var lineStart = reader.Position;
            if (!reader.TryReadTo(out ReadOnlySequence<byte> line, (byte)'\n'))
            {
                if (reader.Consumed - startConsumed + reader.Remaining > _limits.MaxTrailerBytes)
                {
                    return Fail(Http1Error.TrailersTooLarge, out error);
                }

                return End(isFinalBlock, out error);
            }

            if (reader.Consumed - startConsumed > _limits.MaxTrailerBytes)
            {
                return Fail(Http1Error.TrailersTooLarge, out error);
            }

            var copy = Contiguous(line, ref scratch);
            if (copy.IsEmpty || copy[^1] != (byte)'\r')
            {
                return Fail(Http1Error.BareLineFeed, out error);
            }

            if (copy.Length == 1)
            {
                Trailers = buffer.Slice(start, lineStart);
                _state = ChunkState.Done;
                consumed = examined = reader.Position;
                return Http1BodyStatus.Complete;
            }

            var parsed = FieldParser.ParseLine(copy, 0, copy.Length - 1, out var field);
            if (parsed != Http1Error.None)
            {
                return Fail(parsed is Http1Error.ObsoleteLineFolding ? parsed : Http1Error.InvalidTrailer, out error);
            }

            // RFC 9110 §6.5.1: framing, routing and connection fields are never valid trailers; one there is an attack.
            if (field.Kind is KnownField.ContentLength or KnownField.TransferEncoding or KnownField.Host or KnownField.UnderscoreFraming
                or KnownField.Connection or KnownField.Trailer or KnownField.Upgrade or KnownField.TE)
            {
                return Fail(Http1Error.FramingFieldInTrailer, out error);
            }
        }
    }

    /// <summary>A line as one span: itself when it sits in one segment (the usual case), else copied to a scratch array kept for the call.</summary>
    private static ReadOnlySpan<byte> Contiguous(in ReadOnlySequence<byte> line, ref byte[]? scratch)
    {
        if (line.IsSingleSegment)
        {
            return line.FirstSpan;
        }

        if (scratch is null || scratch.Length < line.Length)
        {
            scratch = new byte[Math.Max(line.Length, 256)];
        }

        line.CopyTo(scratch);
        return scratch.AsSpan(0, (int)line.Length);
    }

    private static Http1BodyStatus Fail(Http1Error reason, out Http1Error error)
    {
        error = reason;
        return Http1BodyStatus.Error;
    }
}
