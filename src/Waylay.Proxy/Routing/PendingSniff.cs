using Waylay.Proxy.Io;

namespace Waylay.Proxy.Routing;

/// <summary>
/// A connection whose client has not said enough yet for <see cref="ProtocolDecision"/> to decide: its socket (on
/// Waylay's event loop), what its port declares, and the detection timeout's timer if it has one. The caller awaits
/// <see cref="WaitAsync"/> in its own state machine (the connection's, <c>ConnectionHandler.HandleAsync</c>) and hands
/// the sniff back to <see cref="ProtocolDecision.Continue"/>: a waiting connection is one state machine, not three.
/// </summary>
internal struct PendingSniff(EpollSocket polled, DeclaredProtocol declared, CancellationTokenSource? timer)
{
    private CancellationTokenSource? _deadline;

    public readonly EpollSocket Polled => polled;

    public readonly DeclaredProtocol Declared => declared;

    public readonly bool DeclaredHttp => declared is DeclaredProtocol.Http or DeclaredProtocol.Http2;

    /// <summary>Whether the detection timeout is what ended the wait (the client is taken as opaque then).</summary>
    public readonly bool TimedOut => timer?.IsCancellationRequested == true;

    /// <summary>Until the next edge, the detection timeout, or the connection closing.</summary>
    public ValueTask WaitAsync(CancellationToken closing)
    {
        if (timer is null)
        {
            return polled.WaitReadableAsync(closing);
        }

        _deadline ??= CancellationTokenSource.CreateLinkedTokenSource(timer.Token, closing);
        return polled.WaitReadableAsync(_deadline.Token);
    }

    public readonly void Dispose()
    {
        _deadline?.Dispose();
        timer?.Dispose();
    }
}
