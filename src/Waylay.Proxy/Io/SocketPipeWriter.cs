using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;

namespace Waylay.Proxy.Io;

/// <summary>
/// A <see cref="PipeWriter"/> straight on an <see cref="EpollSocket"/>: writes gather in one pooled buffer and a flush
/// is a send(2) of all of it (one system call for a response head and its body's first bytes), waiting for room only
/// when the kernel's buffer is full. The buffer goes back to the pool after each flush.
/// </summary>
internal sealed class SocketPipeWriter(EpollSocket socket, int minimumSize = 4096) : PipeWriter
{
    private byte[]? _buffer;
    private int _written;

    public override bool CanGetUnflushedBytes => true;

    public override long UnflushedBytes => _written;

    public override void Advance(int bytes)
    {
        if (bytes < 0 || _buffer is null || _written + bytes > _buffer.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(bytes), bytes, "more than the memory GetMemory/GetSpan gave");
        }

        _written += bytes;
    }

    public override Memory<byte> GetMemory(int sizeHint = 0) => Ensure(sizeHint).AsMemory(_written);

    public override Span<byte> GetSpan(int sizeHint = 0) => Ensure(sizeHint).AsSpan(_written);

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        if (_written == 0)
        {
            return new ValueTask<FlushResult>(default(FlushResult));
        }

        var sending = socket.SendAsync(_buffer.AsMemory(0, _written), cancellationToken);
        if (sending.IsCompletedSuccessfully)
        {
            Sent();
            return new ValueTask<FlushResult>(default(FlushResult));
        }

        return FlushSlowAsync(sending);
    }

    public override void CancelPendingFlush()
    {
        // A flush waits only for room in the kernel's buffer; its cancellation token is how a caller gives up on it.
    }

    public override void Complete(Exception? exception = null)
    {
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }

        _written = 0;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<FlushResult> FlushSlowAsync(ValueTask sending)
    {
        await sending.ConfigureAwait(false);
        Sent();
        return default;
    }

    private void Sent()
    {
        _written = 0;
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }
    }

    private byte[] Ensure(int sizeHint)
    {
        var needed = Math.Max(sizeHint, 1);
        if (_buffer is null)
        {
            _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(minimumSize, needed));
        }
        else if (_buffer.Length - _written < needed)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _written + needed));
            Buffer.BlockCopy(_buffer, 0, larger, 0, _written);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }

        return _buffer;
    }
}
