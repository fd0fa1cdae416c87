using System.Buffers;
using Waylay.Proxy.Http.Policy;

namespace Waylay.Proxy.Http.Http2;

/// <summary>
/// The caller's request body as the forwarder reads it, keeping what each try read so that the next try can send it
/// again: Envoy's retry buffer. Up to <see cref="Limit"/> bytes are kept in a <see cref="ReplayBuffer"/>; a try after
/// <see cref="Rewind"/> reads the kept bytes first, then goes on reading (and keeping) from the caller. Once more than
/// the limit was read the kept bytes are released and <see cref="CanReplay"/> is false for good: like Envoy, which
/// abandons retries when a request outgrows its buffer, the request goes on streaming but is never sent again.
/// Reads are never concurrent (one try reads at a time; YARP ends a try's body copy before SendAsync returns).
/// </summary>
internal sealed class ReplayableRequestBody(Stream inner) : Stream
{
    /// <summary>Envoy's default per-connection buffer limit, which bounds what a retry can resend (1 MiB).</summary>
    public const int Limit = ReplayBuffer.EnvoyLimit;

    private readonly ReplayBuffer _kept = new();
    private long _position;
    private volatile bool _abandoned; // nothing is kept any more, for good: over the limit, or forgotten
    private volatile bool _forget;
    private volatile bool _held;

    /// <summary>False once more than <see cref="Limit"/> bytes were read, or after <see cref="Forget"/>: the request cannot be sent again.</summary>
    public bool CanReplay => !_abandoned && !_forget;

    /// <summary>Bytes kept for the next try.</summary>
    public int Kept => (int)_kept.Length;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>
    /// A retry was decided: the try being abandoned reads no more (its reads end as cancelled), so the caller's bytes
    /// wait for the next try instead of growing the buffer past its limit after the decision.
    /// </summary>
    public void Hold() => _held = true;

    /// <summary>
    /// A try's response is going downstream, so no try follows: keep nothing more, and give the buffer back once the
    /// try has read what it replays (Envoy stops buffering for retries once the response has begun). Called while the
    /// try may be reading; the reader releases, at its next read from the caller, or at <see cref="Dispose"/>.
    /// </summary>
    public void Forget() => _forget = true;

    /// <summary>The next try starts from the first byte again.</summary>
    public void Rewind()
    {
        if (!CanReplay)
        {
            throw new InvalidOperationException("the request body outgrew the retry buffer, or its response went downstream: it cannot be sent again");
        }

        _position = 0;
        _held = false;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ThrowIfHeld();
        if (_position < _kept.Length)
        {
            return Replay(buffer.Span);
        }

        var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Keep(buffer.Span[..read]);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        ThrowIfHeld();
        if (_position < _kept.Length)
        {
            return Replay(buffer);
        }

        var read = inner.Read(buffer);
        Keep(buffer[..read]);
        return read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <summary>Gives the segments back to the pool; the caller's stream is Kestrel's and stays open.</summary>
    protected override void Dispose(bool disposing)
    {
        Release();
        base.Dispose(disposing);
    }

    private void ThrowIfHeld()
    {
        if (_held)
        {
            throw new OperationCanceledException("the try reading this body is being retried");
        }
    }

    private int Replay(Span<byte> destination)
    {
        var count = _kept.CopyTo(_position, destination);
        _position += count;
        return count;
    }

    private void Keep(ReadOnlySpan<byte> read)
    {
        if (_abandoned || read.IsEmpty)
        {
            return;
        }

        if (_forget || !_kept.Reserve(read.Length))
        {
            _abandoned = true;
            Release();
            return;
        }

        _kept.Write(read);
        _position = _kept.Length;
    }

    private void Release()
    {
        _kept.Reset();
        _position = 0;
    }
}
