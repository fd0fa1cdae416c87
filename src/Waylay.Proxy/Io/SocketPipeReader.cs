using System.Buffers;
using System.IO.Pipelines;
using System.Threading.Tasks.Sources;

namespace Waylay.Proxy.Io;

/// <summary>
/// A <see cref="PipeReader"/> straight on an <see cref="EpollSocket"/>: one pooled buffer, received into, handed out
/// as a single-segment sequence, with no stream or pipe between (each layer was an await and a copy per request).
/// The buffer is rented only when the socket has bytes, and goes back to the pool whenever everything in it is
/// consumed, so a keep-alive connection waiting for its next message holds none. Positions are indexes into that
/// buffer; it is compacted or grown only when a read needs room, which is after the caller has advanced, so a
/// sequence handed out stays valid until the next read, as the contract says.
/// </summary>
internal sealed class SocketPipeReader : PipeReader, IValueTaskSource<ReadResult>, IValueTaskSource<bool>
{
    private readonly EpollSocket _socket;
    // Every reader's first buffer (a constant, not a field: 8 bytes less per held socket with the byte below).
    private const int MinimumSize = 16 * 1024;
    // One callback for every reader, its state the reader: a delegate per reader was 64 bytes per held socket.
    private static readonly Action<object?> s_onReadable = static state => ((SocketPipeReader)state!).OnReadable();
    // RunContinuationsAsynchronously stays false: inline. Its result is only whether the read was cancelled: the
    // ReadResult is made from the buffer when the caller takes it (nothing changes the buffer in between), which keeps
    // a ReadResult's 32 bytes out of every held reader.
    private ManualResetValueTaskSourceCore<bool> _core;
    private CancellationToken _token;
    private byte[]? _buffer;
    private int _start;
    private int _end;
    private int _examined;
    private bool _ended;
    private byte _cancelRequested;

    public SocketPipeReader(EpollSocket socket) => _socket = socket;

    /// <summary>The socket read.</summary>
    public EpollSocket Socket => _socket;

    /// <summary>Whether a pooled buffer is rented now (for tests and diagnostics: a waiting connection holds none).</summary>
    internal bool HoldsBuffer => _buffer is not null;

    public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        if (TryRead(out var result))
        {
            return new ValueTask<ReadResult>(result);
        }

        // :: wait for data, then rent (the conventions' hot-path rule, Kestrel's WaitForDataBeforeAllocatingBuffer): a
        // keep-alive connection between requests parks here with no buffer; one is rented when an edge says bytes came.
        if (_buffer is not null || _socket.MayRead)
        {
            var received = _socket.TryReceive(Room().Span);
            if (received >= 0)
            {
                return new ValueTask<ReadResult>(Received(received));
            }

            ReleaseIfEmpty();
        }

        return Park(cancellationToken);
    }

    /// <summary>
    /// <see cref="ReadAsync"/> for a caller whose state machine is held for a connection's life (the HTTP/1 request
    /// loop): an awaiter of <c>ValueTask&lt;ReadResult&gt;</c> keeps the result inline (48 bytes), one of this 16, and
    /// it is of the type the loop's other awaits use, so they share one field. Its result says whether the read was
    /// cancelled; <see cref="Result"/> then gives the read's <see cref="ReadResult"/>.
    /// </summary>
    public ValueTask<bool> ReadCanceledAsync(CancellationToken cancellationToken)
    {
        var read = ReadAsync(cancellationToken);
        return read.IsCompleted ? new ValueTask<bool>(read.Result.IsCanceled) : new ValueTask<bool>(this, _core.Version);
    }

    /// <summary>The result of the read <see cref="ReadCanceledAsync"/> completed (nothing changes the buffer in between).</summary>
    public ReadResult Result(bool canceled) => new(Buffered(), canceled, _ended);

    /// <summary>What is buffered and not yet examined, or the end; false when only a new read can say more.</summary>
    public override bool TryRead(out ReadResult result)
    {
        if (Interlocked.Exchange(ref _cancelRequested, (byte)0) == 1)
        {
            result = new ReadResult(Buffered(), isCanceled: true, _ended);
            return true;
        }

        if (_examined < _end || _ended)
        {
            result = new ReadResult(Buffered(), isCanceled: false, _ended);
            return true;
        }

        result = default;
        return false;
    }

    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        // Positions of an array-backed sequence are indexes into the array (the top bit is ReadOnlySequence's own flag).
        var start = consumed.GetObject() is null ? _start : consumed.GetInteger() & int.MaxValue;
        var seen = examined.GetObject() is null ? start : examined.GetInteger() & int.MaxValue;
        if (start < _start || start > _end || seen < start || seen > _end)
        {
            throw new InvalidOperationException("AdvanceTo was given a position outside the buffer the last read returned");
        }

        _start = start;
        _examined = seen;
        ReleaseIfEmpty();
    }

    /// <summary>
    /// Ends the pending read with IsCanceled, or the next one when none is pending. The wake is needed: a read parked
    /// for an edge would otherwise see the request only when bytes next arrive, perhaps never.
    /// </summary>
    public override void CancelPendingRead()
    {
        Volatile.Write(ref _cancelRequested, (byte)1);
        _socket.WakeReader();
    }

    public override void Complete(Exception? exception = null)
    {
        if (_buffer is not null)
        {
            RentedBuffers.Return(_buffer);
            _buffer = null;
        }

        _start = _end = _examined = 0;
    }

    /// <summary>
    /// The result, and the core reset at once: it would otherwise keep the awaiting state machine's box (the caller's
    /// continuation and state) alive until the next read parks, for as long as the connection waits idle.
    /// </summary>
    ReadResult IValueTaskSource<ReadResult>.GetResult(short token)
    {
        var canceled = _core.GetResult(token);
        _core.Reset();
        return new ReadResult(Buffered(), canceled, _ended);
    }

    ValueTaskSourceStatus IValueTaskSource<ReadResult>.GetStatus(short token) => _core.GetStatus(token);

    bool IValueTaskSource<bool>.GetResult(short token)
    {
        var canceled = _core.GetResult(token);
        _core.Reset();
        return canceled;
    }

    ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    void IValueTaskSource<ReadResult>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    /// <summary>
    /// A read that must wait: this reader is itself the awaited source, completed from the readiness callback (on the
    /// loop's thread) with what the receive got, so resuming the caller takes no async method of its own in between.
    /// </summary>
    private ValueTask<ReadResult> Park(CancellationToken cancellationToken)
    {
        _core.Reset();
        _token = cancellationToken;
        WaitAndComplete();
        return new ValueTask<ReadResult>(this, _core.Version);
    }

    /// <summary>Waits for the next edge, or completes the read when it need not wait (ready already, cancelled, closed).</summary>
    private void WaitAndComplete()
    {
        while (true)
        {
            var wait = _socket.WaitReadableAsync(_token);
            if (!wait.IsCompleted)
            {
                _socket.OnReadable(s_onReadable, this);
                return;
            }

            if (TryComplete(wait))
            {
                return;
            }
        }
    }

    private void OnReadable()
    {
        if (!TryComplete(null))
        {
            WaitAndComplete();
        }
    }

    /// <summary>
    /// True when the read is over: bytes, the end, a cancellation or a failure handed to the caller. The wait is
    /// <paramref name="completed"/> when it was over at once, else the one parked on the socket (no field of ours
    /// keeps it: 16 bytes less per held socket).
    /// </summary>
    private bool TryComplete(ValueTask? completed)
    {
        int received;
        try
        {
            if (completed is { } wait)
            {
                wait.GetAwaiter().GetResult();
            }
            else
            {
                _socket.EndReadableWait();
            }

            if (Interlocked.Exchange(ref _cancelRequested, (byte)0) == 1)
            {
                _core.SetResult(true);
                return true;
            }

            received = _socket.TryReceive(Room().Span);
        }
        catch (Exception e)
        {
            _core.SetException(e);
            return true;
        }

        if (received < 0)
        {
            ReleaseIfEmpty(); // a wake without bytes (a cancelled read's, an edge a peek took): wait without the buffer
            return false;
        }

        Received(received);
        _core.SetResult(false);
        return true;
    }

    /// <summary>Gives the buffer back to the pool when nothing in it is left unconsumed.</summary>
    private void ReleaseIfEmpty()
    {
        if (_start == _end && _buffer is not null)
        {
            RentedBuffers.Return(_buffer);
            _buffer = null;
            _start = _end = _examined = 0;
        }
    }

    private ReadResult Received(int count)
    {
        if (count == 0)
        {
            _ended = true;
        }

        _end += count;
        return new ReadResult(Buffered(), isCanceled: false, _ended);
    }

    private ReadOnlySequence<byte> Buffered() =>
        _buffer is null ? ReadOnlySequence<byte>.Empty : new ReadOnlySequence<byte>(_buffer, _start, _end - _start);

    /// <summary>Free space after what is buffered: compacting what is left unconsumed first, growing when it is full.</summary>
    private Memory<byte> Room()
    {
        if (_buffer is null)
        {
            _buffer = RentedBuffers.Rent(MinimumSize);
            _start = _end = _examined = 0;
        }
        else if (_end == _buffer.Length)
        {
            var kept = _end - _start;
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, kept);
            }
            else
            {
                var larger = RentedBuffers.Rent(_buffer.Length * 2);
                Buffer.BlockCopy(_buffer, 0, larger, 0, kept);
                RentedBuffers.Return(_buffer);
                _buffer = larger;
            }

            _examined -= _start;
            _start = 0;
            _end = kept;
        }

        return _buffer.AsMemory(_end);
    }
}
