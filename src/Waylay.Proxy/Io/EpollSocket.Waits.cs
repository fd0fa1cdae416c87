using System.Threading.Tasks.Sources;

namespace Waylay.Proxy.Io;

/// <summary>
/// The socket is the source of its own waits (<see cref="Readiness"/>): a read wait's token has the low bit clear, a
/// write wait's set, so one object serves both directions without one of its own per direction. The read wait is a
/// field of the socket; the write wait is made at the first write that must wait (<see cref="WriteWait"/>): the
/// kernel's send buffer nearly always has room, so most sockets never make one, and each then holds 72 bytes less.
/// </summary>
internal sealed partial class EpollSocket : IValueTaskSource
{
    private const int Read = 0;
    private const int Write = 1;

    private static readonly Action<object?, CancellationToken> s_cancelRead = static (state, token) => ((EpollSocket)state!)._read.Cancel(token);
    private static readonly Action<object?, CancellationToken> s_cancelWrite = static (state, token) => Volatile.Read(ref ((EpollSocket)state!)._write)?.Wait.Cancel(token);

    private Readiness _read; // a struct used in place (Readiness): never readonly, never copied
    private int _readReady = 1; // a new socket tries a read before waiting for an edge
    private int _writeReady;
    private WriteWait? _write;

    public ValueTask WaitReadableAsync(CancellationToken cancellationToken) =>
        _read.WaitAsync(this, Read, ref _readReady, ref _registered, _bound, s_cancelRead, cancellationToken);

    /// <summary>Waits for room (or a connect's end); made without the write wait's object when there is room already.</summary>
    public ValueTask WaitWritableAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _writeReady) == 1 && Volatile.Read(ref _registered) == 1)
        {
            return ValueTask.CompletedTask; // what the wait would do: the caller tries again
        }

        var write = _write;
        if (write is null)
        {
            // One writer at a time (a PipeWriter's flush): published before the wait is (its Interlocked fence), so an
            // edge that finds no object has set the flag the wait then reads.
            write = new WriteWait();
            Volatile.Write(ref _write, write);
        }

        return write.Wait.WaitAsync(this, Write, ref _writeReady, ref _registered, _bound, s_cancelWrite, cancellationToken);
    }

    /// <summary>An edge, a wake or the connect's timer for the read direction: the flag, then a parked wait.</summary>
    private void SignalRead()
    {
        Interlocked.Exchange(ref _readReady, 1);
        _read.Wake();
    }

    /// <summary>The same for the write direction (its wait, if one was ever made).</summary>
    private void SignalWrite()
    {
        Interlocked.Exchange(ref _writeReady, 1);
        Volatile.Read(ref _write)?.Wait.Wake();
    }

    private void CancelWrite(CancellationToken token) => Volatile.Read(ref _write)?.Wait.Cancel(token);

    void IValueTaskSource.GetResult(short token)
    {
        if ((token & 1) == Read)
        {
            _read.GetResult(token, Read);
        }
        else
        {
            _write!.Wait.GetResult(token, Write);
        }
    }

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) =>
        (token & 1) == Read ? _read.GetStatus(token, Read) : _write!.Wait.GetStatus(token, Write);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
    {
        if ((token & 1) == Read)
        {
            _read.OnCompleted(continuation, state, token, Read, flags);
        }
        else
        {
            _write!.Wait.OnCompleted(continuation, state, token, Write, flags);
        }
    }

    /// <summary>The write direction's wait, made when a write first has to wait (a peer reading slowly, a connect).</summary>
    private sealed class WriteWait
    {
        public Readiness Wait; // used in place
    }
}
