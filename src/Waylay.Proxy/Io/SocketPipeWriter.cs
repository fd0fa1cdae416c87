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
    private int _sent;
    private int _cancelRequested;

    public override bool CanGetUnflushedBytes => true;

    public override long UnflushedBytes => _written - _sent;

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
        if (Interlocked.Exchange(ref _cancelRequested, 0) == 1)
        {
            return new ValueTask<FlushResult>(new FlushResult(isCanceled: true, isCompleted: false));
        }

        while (_sent < _written)
        {
            var sent = socket.TrySend(_buffer.AsSpan(_sent, _written - _sent));
            if (sent < 0)
            {
                return FlushSlowAsync(cancellationToken);
            }

            _sent += sent;
        }

        Sent();
        return new ValueTask<FlushResult>(default(FlushResult));
    }

    /// <summary>
    /// Ends a flush waiting for room (a receiver that stopped reading) with a cancelled result, or, when none waits,
    /// the next flush, as Pipe's writers do. What was not sent stays buffered.
    /// </summary>
    public override void CancelPendingFlush()
    {
        Volatile.Write(ref _cancelRequested, 1);
        socket.WakeWriter();
    }

    public override void Complete(Exception? exception = null)
    {
        if (_buffer is not null)
        {
            RentedBuffers.Return(_buffer);
            _buffer = null;
        }

        _written = _sent = 0;
    }

    [AsyncMethodBuilder(typeof(BurstPoolingMethodBuilder<>))]
    private async ValueTask<FlushResult> FlushSlowAsync(CancellationToken cancellationToken)
    {
        while (_sent < _written)
        {
            var sent = socket.TrySend(_buffer.AsSpan(_sent, _written - _sent));
            if (sent >= 0)
            {
                _sent += sent;
                continue;
            }

            await socket.WaitWritableAsync(cancellationToken).ConfigureAwait(false);
            if (Interlocked.Exchange(ref _cancelRequested, 0) == 1)
            {
                return new FlushResult(isCanceled: true, isCompleted: false);
            }
        }

        Sent();
        return default;
    }

    private void Sent()
    {
        _written = _sent = 0;
        if (_buffer is not null)
        {
            RentedBuffers.Return(_buffer);
            _buffer = null;
        }
    }

    private byte[] Ensure(int sizeHint)
    {
        var needed = Math.Max(sizeHint, 1);
        if (_buffer is null)
        {
            _buffer = RentedBuffers.Rent(Math.Max(minimumSize, needed));
        }
        else if (_buffer.Length - _written < needed)
        {
            var larger = RentedBuffers.Rent(Math.Max(_buffer.Length * 2, _written + needed));
            Buffer.BlockCopy(_buffer, 0, larger, 0, _written);
            RentedBuffers.Return(_buffer);
            _buffer = larger;
        }

        return _buffer;
    }
}
