using System.Buffers;
using System.Text;
using Waylay.Proxy.Io;

namespace Waylay.Proxy.Http.Http1;

/// <summary>
/// What request and response heads share: the head's bytes (copied once into a buffer the head owns and reuses for
/// the connection's next message), the field lines as offsets into it, and the framing and persistence the parser
/// derived from them. Strings are made only on demand, for the few fields routing needs.
/// </summary>
internal abstract class Http1Head
{
    // Rented when a head is loaded and given back by Release while the connection waits for its next message, so an
    // idle keep-alive connection holds none of them (with 9000 connections they were a fifth of the heap).
    private byte[] _buffer = [];
    private Http1HeaderField[] _fields = [];
    private (int Start, int Length)[] _connectionTokens = [];
    private int _connectionTokenCount;

    public Http1Version Version { get; internal set; }

    public BodyFraming Framing { get; internal set; }

    /// <summary>The body's length when <see cref="Framing"/> is <see cref="BodyFraming.ContentLength"/>.</summary>
    public long ContentLength { get; internal set; }

    /// <summary>Whether the connection may carry another message after this one (RFC 9112 §9.3).</summary>
    public bool KeepAlive { get; internal set; }

    /// <summary>The head as received, start line to the empty line included (leading empty lines excluded).</summary>
    public ReadOnlySpan<byte> Raw => _buffer.AsSpan(0, Length);

    public int Length { get; private set; }

    public int FieldCount { get; private set; }

    public ReadOnlySpan<byte> FieldName(int index) => _buffer.AsSpan(_fields[index].NameStart, _fields[index].NameLength);

    /// <summary>The value with surrounding whitespace removed.</summary>
    public ReadOnlySpan<byte> FieldValue(int index) => _buffer.AsSpan(_fields[index].ValueStart, _fields[index].ValueLength);

    public KnownField FieldKind(int index) => _fields[index].Kind;

    /// <summary>
    /// Whether field <paramref name="index"/> is hop-by-hop: one of RFC 9110 §7.6.1's or one the Connection field
    /// names. A forwarder drops these and writes its own framing and connection fields.
    /// </summary>
    public bool IsHopByHop(int index)
    {
        var field = _fields[index];
        if (KnownFields.IsHopByHop(field.Kind))
        {
            return true;
        }

        var name = FieldName(index);
        for (var i = 0; i < _connectionTokenCount; i++)
        {
            var (start, length) = _connectionTokens[i];
            if (Ascii.EqualsIgnoreCase(name, _buffer.AsSpan(start, length)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether a forwarder copies field <paramref name="index"/> unchanged: not hop-by-hop and not Content-Length,
    /// because the forwarder writes the framing it actually uses (one Content-Length, or chunked) itself.
    /// </summary>
    public bool ForwardsAsIs(int index) => _fields[index].Kind != KnownField.ContentLength && !IsHopByHop(index);

    public bool IsContentLength(int index) => _fields[index].Kind == KnownField.ContentLength;

    /// <summary>
    /// The value of a field, null when absent; several lines of the same field are joined with "," as Envoy does
    /// before matching. Allocates the string: meant for the fields a route actually looks at.
    /// </summary>
    public string? GetField(string name)
    {
        string? single = null;
        StringBuilder? joined = null;
        for (var i = 0; i < FieldCount; i++)
        {
            if (!Ascii.EqualsIgnoreCase(FieldName(i), name))
            {
                continue;
            }

            var value = Encoding.Latin1.GetString(FieldValue(i));
            if (single is null)
            {
                single = value;
            }
            else
            {
                joined ??= new StringBuilder(single);
                joined.Append(',').Append(value);
            }
        }

        return joined?.ToString() ?? single;
    }

    /// <summary>Whether the field is present at least once.</summary>
    public bool HasField(ReadOnlySpan<byte> name)
    {
        for (var i = 0; i < FieldCount; i++)
        {
            if (Ascii.EqualsIgnoreCase(FieldName(i), name))
            {
                return true;
            }
        }

        return false;
    }

    internal byte[] Buffer => _buffer;

    internal int FieldValueStart(int index) => _fields[index].ValueStart;

    /// <summary>Copies the head out of the connection's buffers (one memcpy), so it outlives the reader's next advance.</summary>
    internal void Load(in ReadOnlySequence<byte> head)
    {
        // Sized to the head (the pool rounds up to a power of two): a head is rented per message and held only while
        // its request is under way, so in a burst of thousands of requests at once these are what is in flight.
        // 256 bytes and 16 fields cover a typical request or response head; a larger one takes a larger bucket.
        if (_buffer.Length < head.Length)
        {
            Return(_buffer);
            _buffer = RentedBuffers.Rent(Math.Max((int)head.Length, 256));
        }

        if (_fields.Length == 0)
        {
            _fields = RentedBuffers.Rent<Http1HeaderField>(16);
        }

        head.CopyTo(_buffer);
        Length = (int)head.Length;
        FieldCount = 0;
        _connectionTokenCount = 0;
        Framing = BodyFraming.None;
        ContentLength = 0;
        KeepAlive = false;
        ResetDerived();
    }

    internal void AddField(in Http1HeaderField field)
    {
        if (FieldCount == _fields.Length)
        {
            var larger = RentedBuffers.Rent<Http1HeaderField>(_fields.Length * 2);
            _fields.AsSpan(0, FieldCount).CopyTo(larger);
            RentedBuffers.Return(_fields);
            _fields = larger;
        }

        _fields[FieldCount++] = field;
    }

    internal void AddConnectionToken(int start, int length)
    {
        if (_connectionTokenCount == _connectionTokens.Length)
        {
            Array.Resize(ref _connectionTokens, Math.Max(_connectionTokens.Length * 2, 4));
        }

        _connectionTokens[_connectionTokenCount++] = (start, length);
    }

    /// <summary>
    /// Gives the head's buffers back to the pool once nothing reads it any more (the connection waits for its next
    /// message); the next <see cref="Load"/> rents them again. What the parser derived (framing, status) stays.
    /// </summary>
    internal void Release()
    {
        Return(_buffer);
        _buffer = [];
        if (_fields.Length > 0)
        {
            RentedBuffers.Return(_fields);
            _fields = [];
        }

        Length = 0;
        FieldCount = 0;
        _connectionTokenCount = 0;
    }

    private protected abstract void ResetDerived();

    private static void Return(byte[] buffer)
    {
        if (buffer.Length > 0)
        {
            RentedBuffers.Return(buffer);
        }
    }
}
