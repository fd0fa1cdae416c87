using System.Net.Sockets;
using System.Threading.Tasks.Sources;

namespace Waylay.Proxy.Io;

/// <summary>
/// The one wait parked on a direction of an <see cref="EpollSocket"/> until the loop says the kernel may have bytes (or
/// room) for it. The direction's ready flag is the socket's (an int it owns, passed by ref), and so is whether it is
/// still on the loop: the flag and the parked wait meet Dekker-style (each side sets its own word with a full fence,
/// then reads the other's), so an edge that lands between "nothing there" and "park" is never lost. The wait completes
/// inline on the thread that signals it (the loop, a canceller, the closer), like .NET's inline socket completions; one
/// wait at a time per direction, as a PipeReader or PipeWriter makes them.
/// A struct used in place (a field of the socket for reads, of a small object the socket makes at its first write that
/// must wait), never copied; the socket is the waits' <see cref="IValueTaskSource"/> (the token's low bit says which
/// direction). Two objects of their own were ~210 bytes per socket, two of these inline 160 (docs/designs/proxy.md, "Memory").
/// </summary>
internal struct Readiness
{
    private ManualResetValueTaskSourceCore<bool> _core; // RunContinuationsAsynchronously stays false: inline
    private int _waiting;
    private CancellationToken _token;
    private CancellationTokenRegistration _cancel;

    /// <summary>True when a try is worth a system call; clears the flag first so an edge during the call sets it again.</summary>
    public static bool TryTake(ref int ready) => Interlocked.Exchange(ref ready, 0) == 1;

    /// <summary>The token of the wait parked now: the core's version, and the direction in the low bit.</summary>
    public short Token(int direction) => (short)((_core.Version << 1) | direction);

    /// <summary>The direction's flag was set with a full fence (an edge, a wake): a parked wait completes.</summary>
    public void Wake()
    {
        if (Interlocked.Exchange(ref _waiting, 0) == 1)
        {
            _core.SetResult(true);
        }
    }

    /// <summary>The socket left the loop (its flag cleared with a full fence first): a parked wait fails as an aborted operation.</summary>
    public void Abort()
    {
        if (Interlocked.Exchange(ref _waiting, 0) == 1)
        {
            _core.SetException(new SocketException((int)SocketError.OperationAborted));
        }
    }

    /// <summary>
    /// Parks the wait, or completes it at once (<paramref name="ready"/>, or the socket off the loop: <paramref name="open"/>
    /// 0, and every later wait fails as aborted). A wait with the <paramref name="bound"/> token (the connection's
    /// closing, whose owner cancels it through the socket) registers nothing; any other cancellable token is registered
    /// for the wait's time, its callback given <paramref name="owner"/>.
    /// </summary>
    public ValueTask WaitAsync(EpollSocket owner, int direction, ref int ready, ref int open, CancellationToken bound,
        Action<object?, CancellationToken> cancel, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref open) == 0)
        {
            return ValueTask.FromException(new SocketException((int)SocketError.OperationAborted));
        }

        _core.Reset();

        // Before parking is published: a cancellation racing with it then either sees this token, or is seen below.
        _token = cancellationToken;
        Interlocked.Exchange(ref _waiting, 1);
        if (Volatile.Read(ref ready) == 1 || Volatile.Read(ref open) == 0)
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
