using System.Buffers;

namespace Waylay.Proxy.Http.Policy;

/// <summary>
/// The request body bytes a try has sent upstream (after the head, as framed on the wire), kept in pooled segments so
/// that the next try can send them again. Bounded like Envoy's retry buffer (<c>per_connection_buffer_limit_bytes</c>,
/// 1 MiB by default): a body that outgrows it is dropped at once and the request can no longer be resent.
/// Both paths keep their retry bytes here: the HTTP/1 body pump (one per downstream connection, reused request after
/// request) and the h2 request body (one per call); the segments go back to the pool when a request ends.
/// </summary>
internal sealed class ReplayBuffer : IBufferWriter<byte>
{
    /// <summary>Envoy's default <c>per_connection_buffer_limit_bytes</c>, which bounds the body its router keeps for retries.</summary>
    public const int EnvoyLimit = 1 << 20;

    // Segments grow with the body (16 KiB, then as large as what is kept, up to 256 KiB): a small body takes one, a
    // body near the limit about seven, few enough for the shared pool's per-size caches to serve them.
    private const int FirstSegment = 16 * 1024;
    private const int LargestSegment = 256 * 1024;

    /// <summary>Rented arrays and how much of each is used (all but the tail may end a few bytes short: a chunk line did not fit).</summary>
    private readonly List<(byte[] Array, int Used)> _segments = [];

    public ReplayBuffer(int limit = EnvoyLimit) => Limit = limit;

    public int Limit { get; }

    /// <summary>Bytes kept.</summary>
    public long Length { get; private set; }

    /// <summary>Keeping was given up (the body outgrew <see cref="Limit"/>, or nothing will ever be resent).</summary>
    public bool Dropped { get; private set; }

    /// <summary>Whether <paramref name="count"/> more bytes still fit; when not, everything kept is released and the buffer is dropped.</summary>
    public bool Reserve(long count)
    {
        if (Dropped)
        {
            return false;
        }

        if (Length + count <= Limit)
        {
            return true;
        }

        Drop();
        return false;
    }

    /// <summary>Stops keeping for the rest of this request, releasing what was kept.</summary>
    public void Drop()
    {
        Release();
        Dropped = true;
    }

    /// <summary>Empty again for the next request.</summary>
    public void Reset()
    {
        Release();
        Dropped = false;
    }

    /// <summary>Everything kept, in order, into <paramref name="writer"/> (not flushed).</summary>
    public void CopyTo(IBufferWriter<byte> writer)
    {
        foreach (var (array, used) in _segments)
        {
            writer.Write(array.AsSpan(0, used));
        }
    }

    /// <summary>Kept bytes from <paramref name="offset"/> on into <paramref name="destination"/>; how many were copied.</summary>
    public int CopyTo(long offset, Span<byte> destination)
    {
        var copied = 0;
        foreach (var (array, used) in _segments)
        {
            if (destination.IsEmpty)
            {
                break;
            }

            if (offset >= used)
            {
                offset -= used;
                continue;
            }

            var count = Math.Min(used - (int)offset, destination.Length);
            array.AsSpan((int)offset, count).CopyTo(destination);
            destination = destination[count..];
            copied += count;
            offset = 0;
        }

        return copied;
    }

    public void Advance(int count)
    {
        var (array, used) = _segments[^1];
        _segments[^1] = (array, used + count);
        Length += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        var (array, used) = Tail(sizeHint);
        return array.AsMemory(used);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        var (array, used) = Tail(sizeHint);
        return array.AsSpan(used);
    }

    private (byte[] Array, int Used) Tail(int sizeHint)
    {
        var needed = Math.Max(sizeHint, 1);
        if (_segments.Count == 0 || _segments[^1].Array.Length - _segments[^1].Used < needed)
        {
            var size = (int)Math.Clamp(Length, FirstSegment, LargestSegment);
            _segments.Add((ArrayPool<byte>.Shared.Rent(Math.Max(size, needed)), 0));
        }

        return _segments[^1];
    }

    private void Release()
    {
        foreach (var (array, _) in _segments)
        {
            ArrayPool<byte>.Shared.Return(array);
        }

        _segments.Clear();
        Length = 0;
    }
}
