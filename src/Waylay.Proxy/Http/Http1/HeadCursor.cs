using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace Waylay.Proxy.Http.Http1;

/// <summary>
/// Writes a head into one span taken from the writer, asking for more only when it runs out: a head is some forty
/// small pieces, and through <see cref="IBufferWriter{T}"/> each would be two interface calls (GetSpan, Advance).
/// <see cref="Commit"/> hands what was written to the writer; nothing is visible to it before.
/// </summary>
internal ref struct HeadCursor(IBufferWriter<byte> writer)
{
    /// <summary>Most heads fit: one request for this much, then one Advance.</summary>
    private const int Chunk = 2048;

    private Span<byte> _span;
    private int _used;

    public void Write(ReadOnlySpan<byte> bytes)
    {
        if (_span.Length - _used < bytes.Length)
        {
            Grow(bytes.Length);
        }

        bytes.CopyTo(_span[_used..]);
        _used += bytes.Length;
    }

    /// <summary>Latin-1, the byte-for-byte inverse of how values were read (obs-text survives the round trip).</summary>
    public void Latin1(string text)
    {
        if (_span.Length - _used < text.Length)
        {
            Grow(text.Length);
        }

        _used += Encoding.Latin1.GetBytes(text, _span[_used..]);
    }

    public void Number(long value)
    {
        if (_span.Length - _used < 20)
        {
            Grow(20);
        }

        Utf8Formatter.TryFormat(value, _span[_used..], out var written);
        _used += written;
    }

    /// <summary>At least <paramref name="length"/> free bytes to format a value into in place; then <see cref="Advance"/> by what was written.</summary>
    public Span<byte> Room(int length)
    {
        if (_span.Length - _used < length)
        {
            Grow(length);
        }

        return _span[_used..];
    }

    public void Advance(int count) => _used += count;

    public void Commit()
    {
        if (_used > 0)
        {
            writer.Advance(_used);
        }

        _span = default;
        _used = 0;
    }

    private void Grow(int needed)
    {
        Commit();
        _span = writer.GetSpan(Math.Max(needed, Chunk));
    }
}
