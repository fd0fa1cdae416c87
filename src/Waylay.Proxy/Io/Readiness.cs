using System.Net.Sockets;
using System.Threading.Tasks.Sources;

namespace Waylay.Proxy.Io;

/// <summary>
/// One direction of an <see cref="EpollSocket"/>: whether the kernel may have bytes (or room) for it, and the one
/// wait parked until the loop says so. The flag and the parked wait meet Dekker-style (each side sets its own word
/// with a full fence, then reads the other's), so an edge that lands between "nothing there" and "park" is never lost.
/// The wait completes inline on the thread that signals it (the loop, a canceller, the closer), like .NET's inline
/// socket completions; one wait at a time per direction, as a PipeReader or PipeWriter makes them.
/// </summary>
internal sealed class Readiness(bool initially) : IValueTaskSource
{
    private ManualResetValueTaskSourceCore<bool> _core; // RunContinuationsAsynchronously stays false: inline
    private int _ready = initially ? 1 : 0;
    private int _waiting;
    private int _aborted;
    private CancellationToken _token;
    private CancellationTokenRegistration _cancel;
    private CancellationToken _bound;

    /// <summary>True when a try is worth a system call; clears the flag first so an edge during the call sets it again.</summary>
    public bool TryTake() => Interlocked.Exchange(ref _ready, 0) == 1;

    /// <summary>Whether a try may find something, without taking the flag (a reader asks before renting a buffer).</summary>
    public bool IsReady => Volatile.Read(ref _ready) == 1;

    /// <summary>Known ready without an edge (bytes left behind by a full read, a peek that is done, the end of the stream).</summary>
    public void Set() => Volatile.Write(ref _ready, 1);

    /// <summary>
    /// A token its owner registered once for every wait (the connection's closing): waits with it register nothing,
    /// which saves a registration and its removal per wait; the owner's callback calls <see cref="CancelBound"/>.
    /// </summary>
    public void Bind(CancellationToken token) => _bound = token;

    public void CancelBound() => Cancel(_bound);

    /// <summary>The loop saw an edge.</summary>
    public void Signal()
    {
        Interlocked.Exchange(ref _ready, 1);
        if (Interlocked.Exchange(ref _waiting, 0) == 1)
        {
            _core.SetResult(true);
        }
    }

    /// <summary>The socket left the loop: a parked wait fails as an aborted operation, and so does every later one.</summary>
    public void Abort()
    {
        Volatile.Write(ref _aborted, 1);
        if (Interlocked.Exchange(ref _waiting, 0) == 1)
        {
            _core.SetException(new SocketException((int)SocketError.OperationAborted));
        }
    }

    public ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _aborted) == 1)
        {
            return ValueTask.FromException(new SocketException((int)SocketError.OperationAborted));
        }

        _core.Reset();

        // Before parking is published: a cancellation racing with it then either sees this token, or is seen below.
        _token = cancellationToken;
        Interlocked.Exchange(ref _waiting, 1);
        if (Volatile.Read(ref _ready) == 1 || Volatile.Read(ref _aborted) == 1)
        {
            if (Interlocked.Exchange(ref _waiting, 0) == 1)
            {
                // Ready already (or closed): no need to park; the caller tries again and sees which.
                _token = default;
                return ValueTask.CompletedTask;
            }

            // A signal took the wait between the two reads and is completing it now.
        }
        else if (cancellationToken.CanBeCanceled)
        {
            if (cancellationToken == _bound)
            {
                // Registered once by the owner; a cancellation that came before the wait was published is taken here.
                if (cancellationToken.IsCancellationRequested)
                {
                    Cancel(cancellationToken);
                }
            }
            else
            {
                _cancel = cancellationToken.UnsafeRegister(static (state, token) => ((Readiness)state!).Cancel(token), this);
            }
        }

        return new ValueTask(this, _core.Version);
    }

    public void GetResult(short token)
    {
        var registration = _cancel;
        _cancel = default;
        // Unregister does not wait for a callback already running: cleared, its token can no longer match the next
        // wait's (which may have no token at all) and cancel that one instead.
        _token = default;
        registration.Unregister();
        try
        {
            _core.GetResult(token);
        }
        finally
        {
            // Nothing completes this wait again (_waiting is 0); resetting the core lets go of the awaiting state
            // machine's box, which it would keep for as long as the socket waits no more (an idle pooled upstream
            // kept its connect's until it closed).
            _core.Reset();
        }
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    private void Cancel(CancellationToken token)
    {
        // A callback of an earlier wait can still be running after that wait ended; its token tells it apart.
        if (token.CanBeCanceled && token == _token && Interlocked.Exchange(ref _waiting, 0) == 1)
        {
            _core.SetException(new OperationCanceledException(token));
        }
    }
}
