using Waylay.Proxy.Connections;
using Waylay.Proxy.Io;

namespace Waylay.Proxy.Pools;

/// <summary>
/// An HTTP/1 upstream's connect in progress on Waylay's event loop (<see cref="UpstreamConnector.StartPolled"/>): the
/// socket whose writable edge ends it, and the timer that ends it at the connect timeout instead. The caller awaits
/// <see cref="WaitAsync"/> itself, so a connect is one async level (its pool's), not three.
/// </summary>
internal readonly struct PolledConnect(EpollSocket? socket, ITimer? deadline, RelayOutcome failure)
{
    /// <summary>The connecting socket; null when the connect failed before it began (see <see cref="Failure"/>).</summary>
    public EpollSocket? Socket => socket;

    /// <summary>Why there is no socket: the proxy closing (the caller had given up already) or the connect failing at once.</summary>
    public RelayOutcome Failure => failure;

    /// <summary>Until the connect ends: the writable edge, the timer, or the caller giving up (OperationCanceledException).</summary>
    public ValueTask WaitAsync(CancellationToken cancellationToken) => socket!.WaitWritableAsync(cancellationToken);

    /// <summary>
    /// After <see cref="WaitAsync"/> (<paramref name="waitFailure"/>: what it threw): Open with the socket connected,
    /// else the failure as the relay reports it (the connect timeout, the proxy closing, the endpoint refusing), the
    /// socket closed.
    /// </summary>
    public RelayOutcome Finish(Exception? waitFailure)
    {
        deadline!.Dispose();
        var outcome = waitFailure switch
        {
            OperationCanceledException => RelayOutcome.ClosedByProxy,
            not null => RelayOutcome.ConnectFailed,
            _ => socket!.FinishConnect() switch
            {
                0 => RelayOutcome.Open,
                EpollSocket.ConnectExpired => RelayOutcome.ConnectTimeout,
                _ => RelayOutcome.ConnectFailed,
            },
        };
        if (outcome != RelayOutcome.Open)
        {
            socket!.Close();
        }

        return outcome;
    }
}
