using System.Net.Sockets;
using Waylay.Linux;
using Waylay.Proxy.Connections;

namespace Waylay.Proxy.Tcp;

/// <summary>
/// Carries bytes both ways between the downstream (the app or the peer proxy) and the upstream, with two labelled
/// pumps, <c>client→server</c> and <c>server→client</c> (linkerd's duplex):
/// <list type="bullet">
/// <item>FIN one way shuts down only that direction's write side: the other direction stays open (half-close).</item>
/// <item>A reset or failure on either side resets the other (SO_LINGER 0), so the app sees what the peer did.</item>
/// <item>Cancellation (idle timeout, drain deadline, quitquitquit) aborts both.</item>
/// </list>
/// </summary>
internal static class Relay
{
    public static async Task<RelayOutcome> RunAsync(Socket downstream, Socket upstream, ConnectionContext connection, PipePool? pipes, TimeProvider time)
    {
        // Both pumps stop on the connection's own token: the proxy cancels it to close the connection (idle, drain,
        // quit), and the relay cancels it when one direction fails. (No linked source per connection: one fewer
        // allocation and callback registration on the connection-rate path.)
        var closing = connection.Closing;
        bool? closedByProxy = null;
        if (pipes is not null)
        {
            // splice needs O_NONBLOCK on both descriptors: the downstream has it since its accept4, the upstream since
            // its ConnectAsync. Setting it through .NET as well makes sure of it and lets .NET know, so its first async
            // call need not set it again.
            downstream.Blocking = false;
            upstream.Blocking = false;
        }

        bool downRef = false, upRef = false;
        PumpResult a, b;
        try
        {
            // Hold the descriptors while splice uses their raw numbers: nothing may close them (and let the kernel
            // reuse the number for another connection) until both pumps are done. Sockets are disposed only after.
            downstream.SafeHandle.DangerousAddRef(ref downRef);
            upstream.SafeHandle.DangerousAddRef(ref upRef);
            var toUpstream = Pump(downstream, upstream, pipes, connection, true, time, closing.Token);
            var toDownstream = Pump(upstream, downstream, pipes, connection, false, time, closing.Token);

            var first = await Task.WhenAny(toUpstream, toDownstream).ConfigureAwait(false);
            if (await first.ConfigureAwait(false) != PumpResult.Eof)
            {
                // Whether the proxy was closing it is known only before the relay cancels the token itself.
                closedByProxy = closing.IsCancellationRequested;
                await closing.CancelAsync().ConfigureAwait(false);
            }

            a = await toUpstream.ConfigureAwait(false);
            b = await toDownstream.ConfigureAwait(false);
        }
        finally
        {
            if (downRef)
            {
                downstream.SafeHandle.DangerousRelease();
            }

            if (upRef)
            {
                upstream.SafeHandle.DangerousRelease();
            }

        }

        if (a == PumpResult.Eof && b == PumpResult.Eof)
        {
            return RelayOutcome.Completed;
        }

        // One side reset, or the proxy is closing: reset both, so each app sees the connection end abruptly rather
        // than a clean FIN that would pass a truncated stream off as complete.
        SocketReset.Abort(downstream);
        SocketReset.Abort(upstream);

        // Cancelled and not by the relay (it stops at the first failure): the proxy closed it.
        if (closedByProxy ?? closing.IsCancellationRequested)
        {
            return connection.Outcome == RelayOutcome.Open ? RelayOutcome.ClosedByProxy : connection.Outcome;
        }

        return RelayOutcome.Reset;
    }

    private static async Task<PumpResult> Pump(Socket source, Socket destination, PipePool? pipes, ConnectionContext connection, bool toUpstream, TimeProvider time, CancellationToken cancellationToken)
    {
        try
        {
            return pipes is not null
                ? await SplicePump.RunAsync(source, destination, pipes, connection, toUpstream, time, cancellationToken).ConfigureAwait(false)
                : await BufferPump.RunAsync(source, destination, connection, toUpstream, time, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return PumpResult.Aborted;
        }
        catch (ObjectDisposedException)
        {
            return PumpResult.Aborted;
        }
        catch (SocketException e) when (SocketErrors.IsAborted(e.SocketErrorCode))
        {
            return PumpResult.Aborted;
        }
        catch (SocketException)
        {
            return PumpResult.Reset;
        }
    }
}
