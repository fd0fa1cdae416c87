using System.Buffers;
using System.Text;

namespace Waylay.Proxy.Http.Http1;

/// <summary>
/// What request and response heads share: the head's bytes (copied once into a buffer the head owns and reuses for
/// the connection's next message), the field lines as offsets into it, and the framing and persistence the parser
/// derived from them. Strings are made only on demand, for the few fields routing needs.
/// </summary>
public abstract class Http1Head
{
    private byte[] _buffer = new byte[1024];
    private Http1HeaderField[] _fields = new Http1HeaderField[32];
    private (int Start, int Length)[] _connectionTokens = new (int, int)[4];
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
        if (_buffer.Length < head.Length)
        {
            _buffer = new byte[Math.Max((int)head.Length, _buffer.Length * 2)];
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
            Array.Resize(ref _fields, _fields.Length * 2);
        }

        _fields[FieldCount++] = field;
    }

    internal void AddConnectionToken(int start, int length)
    {
        if (_connectionTokenCount == _connectionTokens.Length)
        {
            Array.Resize(ref _connectionTokens, _connectionTokens.Length * 2);
        }

        _connectionTokens[_connectionTokenCount++] = (start, length);
    }

    private protected abstract void ResetDerived();
}
