using System.Net.Sockets;
using System.Threading.Tasks.Sources;

namespace Waylay.Proxy.Io;

/// <summary>
/// One direction of an <see cref="EpollSocket"/>: whether the kernel may have bytes (or room) for it, and the one
/// wait parked until the loop says so. The flag and the parked wait meet Dekker-style (each side sets its own word
/// with a full fence, then reads the other's), so an edge that lands between "nothing there" and "park" is never lost.
/// The wait completes inline on the thread that signals it (the loop, a canceller, the closer), like .NET's inline
/// socket completions; one wait at a time per direction, as a PipeReader or PipeWriter makes them.
/// A struct inside its socket, which is the waits' <see cref="IValueTaskSource"/> (the token's low bit says which
/// direction): two objects of their own were ~210 bytes per socket (docs/designs/proxy.md, "Memory"). Only ever used
/// in place (a field of the socket), never copied.
/// </summary>
internal struct Readiness
{
    private ManualResetValueTaskSourceCore<bool> _core; // RunContinuationsAsynchronously stays false: inline
    private int _ready;
    private int _waiting;
    private int _aborted;
    private CancellationToken _token;
    private CancellationTokenRegistration _cancel;

    public Readiness(bool initially) => _ready = initially ? 1 : 0;

    /// <summary>True when a try is worth a system call; clears the flag first so an edge during the call sets it again.</summary>
    public bool TryTake() => Interlocked.Exchange(ref _ready, 0) == 1;

    /// <summary>Whether a try may find something, without taking the flag (a reader asks before renting a buffer).</summary>
    public bool IsReady => Volatile.Read(ref _ready) == 1;

    /// <summary>Known ready without an edge (bytes left behind by a full read, a peek that is done, the end of the stream).</summary>
    public void Set() => Volatile.Write(ref _ready, 1);

    /// <summary>The token of the wait parked now: the core's version, and the direction in the low bit.</summary>
    public short Token(int direction) => (short)((_core.Version << 1) | direction);

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

    /// <summary>
    /// Parks the wait, or completes it at once (ready, aborted). A wait with the <paramref name="bound"/> token (the
    /// connection's closing, whose owner cancels it through <see cref="CancelBound"/>) registers nothing; any other
    /// cancellable token is registered for the wait's time, its callback given <paramref name="owner"/>.
    /// </summary>
    public ValueTask WaitAsync(EpollSocket owner, int direction, CancellationToken bound, Action<object?, CancellationToken> cancel,
        CancellationToken cancellationToken)
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
            if (cancellationToken == bound)
            {
                // Cancelled by the owner; a cancellation that came before the wait was published is taken here.
                if (cancellationToken.IsCancellationRequested)
                {
                    Cancel(cancellationToken);
                }
            }
            else
            {
                _cancel = cancellationToken.UnsafeRegister(cancel, owner);
            }
        }

        return new ValueTask(owner, Token(direction));
    }

    public void GetResult(short token, int direction)
    {
        Check(token, direction);
        var registration = _cancel;
        _cancel = default;
        // Unregister does not wait for a callback already running: cleared, its token can no longer match the next
        // wait's (which may have no token at all) and cancel that one instead.
        _token = default;
        registration.Unregister();
        try
        {
            _core.GetResult(_core.Version);
        }
        finally
        {
            // Nothing completes this wait again (_waiting is 0); resetting the core lets go of the awaiting state
            // machine's box, which it would keep for as long as the socket waits no more (an idle pooled upstream
            // kept its connect's until it closed).
            _core.Reset();
        }
    }

    public ValueTaskSourceStatus GetStatus(short token, int direction)
    {
        Check(token, direction);
        return _core.GetStatus(_core.Version);
    }

    public void OnCompleted(Action<object?> continuation, object? state, short token, int direction, ValueTaskSourceOnCompletedFlags flags)
    {
        Check(token, direction);
        _core.OnCompleted(continuation, state, _core.Version, flags);
    }

    /// <summary>The continuation of the wait parked now (one at a time: its token is the core's current version).</summary>
    public void OnParkedCompleted(Action<object?> continuation, object? state) =>
        _core.OnCompleted(continuation, state, _core.Version, ValueTaskSourceOnCompletedFlags.None);

    /// <summary>Ends the wait parked now the way awaiting it would: returns, or throws what completed it.</summary>
    public void EndParked(int direction) => GetResult(Token(direction), direction);

    /// <summary>A cancellation of <paramref name="token"/>: ends the wait parked with it, if one is.</summary>
    public void Cancel(CancellationToken token)
    {
        // A callback of an earlier wait can still be running after that wait ended; its token tells it apart.
        if (token.CanBeCanceled && token == _token && Interlocked.Exchange(ref _waiting, 0) == 1)
        {
            _core.SetException(new OperationCanceledException(token));
        }
    }

    private void Check(short token, int direction)
    {
        if (token != Token(direction))
        {
            throw new InvalidOperationException("the wait was awaited twice, or after it had been reused");
        }
    }
}
