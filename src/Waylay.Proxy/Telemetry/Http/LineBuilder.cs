using System.Collections.Concurrent;
using System.Globalization;

namespace Waylay.Proxy.Telemetry.Http;

/// <summary>Builds one line in a buffer from a <see cref="LineBufferPool"/>; whoever writes the line out returns it.</summary>
internal struct LineBuilder(char[] buffer)
{
    private char[] _buffer = buffer;
    private int _length;

    public readonly char[] Buffer => _buffer;

    public readonly int Length => _length;

    public void Append(char c)
    {
        Ensure(1);
        _buffer[_length++] = c;
    }

    public void Append(ReadOnlySpan<char> text)
    {
        Ensure(text.Length);
        text.CopyTo(_buffer.AsSpan(_length));
        _length += text.Length;
    }

    /// <summary>Header bytes are Latin-1 (obs-text survives as U+0080–U+00FF).</summary>
    public void AppendLatin1(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        var target = _buffer.AsSpan(_length);
        for (var i = 0; i < bytes.Length; i++)
        {
            target[i] = (char)bytes[i];
        }

        _length += bytes.Length;
    }

    public void Append(long value)
    {
        Ensure(20);
        value.TryFormat(_buffer.AsSpan(_length), out var written, provider: CultureInfo.InvariantCulture);
        _length += written;
    }

    /// <summary>Envoy's <c>%START_TIME%</c>: <c>2026-11-25T13:37:02.123Z</c>.</summary>
    public void AppendTime(DateTimeOffset time)
    {
        Ensure(32);
        time.UtcDateTime.TryFormat(_buffer.AsSpan(_length), out var written, "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        _length += written;
    }

    private void Ensure(int more)
    {
        if (_length + more <= _buffer.Length)
        {
            return;
        }

        // A line longer than the pool's buffers (a huge user-agent): a one-off array the pool will not keep.
        var bigger = new char[Math.Max(_buffer.Length * 2, _length + more)];
        _buffer.AsSpan(0, _length).CopyTo(bigger);
        _buffer = bigger;
    }
}

/// <summary>
/// Line buffers shared by request threads (which take them) and the writer task (which gives them back). Not
/// <c>ArrayPool.Shared</c>: its per-thread caches keep what one thread returns from the thread that rents next, so
/// every line would be a fresh array. A plain queue of fixed-size buffers, bounded, allocates only when it runs dry.
/// </summary>
internal sealed class LineBufferPool(int maxFree)
{
    public const int BufferLength = 1024;

    private readonly ConcurrentQueue<char[]> _free = new();
    private int _count;

    public char[] Rent()
    {
        if (_free.TryDequeue(out var buffer))
        {
            Interlocked.Decrement(ref _count);
            return buffer;
        }

        return new char[BufferLength];
    }

    public void Return(char[] buffer)
    {
        if (buffer.Length == BufferLength && Interlocked.Increment(ref _count) <= maxFree)
        {
            _free.Enqueue(buffer);
        }
        else if (buffer.Length == BufferLength)
        {
            Interlocked.Decrement(ref _count);
        }
    }
}
