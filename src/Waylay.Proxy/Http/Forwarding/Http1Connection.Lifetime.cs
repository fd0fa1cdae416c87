using System.Net.Sockets;
using Waylay.Linux;
using Waylay.Proxy.Connections;

namespace Waylay.Proxy.Http.Forwarding;

/// <summary>
/// How an HTTP/1 connection starts and ends. Nothing awaits it: its owner (the connection handler, a Gateway
/// listener) hands it over and returns, and the request loop's finally does what the owner's await used to lead to.
/// A held keep-alive connection then keeps one async state machine alive instead of three (~390 bytes, docs/designs/
/// proxy.md, "Memory").
/// </summary>
internal sealed partial class Http1Connection
{
    /// <summary>
    /// Starts the request loop without an execution context to flow (no AsyncLocal is read on this path): its state
    /// machine then resumes straight on the loop's thread, not through ExecutionContext.RunInternal, once per await.
    /// </summary>
    public void Start()
    {
        if (ExecutionContext.IsFlowSuppressed())
        {
            _ = RunAsync();
            return;
        }

        using (ExecutionContext.SuppressFlow())
        {
            _ = RunAsync();
        }
    }

    /// <summary>
    /// The connection is over: a clean end half-closes towards the client (the outcome is Completed); an I/O failure
    /// resets it (ClosedByProxy when the proxy closed it, else Reset). Then the socket leaves the loop, the buffers go
    /// back, and the owner is told; an unexpected failure is the owner's to log.
    /// </summary>
    private void End(Exception? failure)
    {
        var polled = input.Socket;
        var downstream = polled.Handle;
        if (failure is null)
        {
            Connection.Outcome = RelayOutcome.Completed;
            try
            {
                polled.Shutdown(SocketShutdown.Send);
            }
            catch (Exception e) when (IsExpected(e))
            {
                failure = e;
            }
        }

        if (failure is not null && IsExpected(failure))
        {
            Connection.Outcome = Connection.Closing.IsCancellationRequested ? RelayOutcome.ClosedByProxy : RelayOutcome.Reset;
            polled.Dispose();
            SocketReset.Abort(downstream);
            failure = null;
        }

        polled.Dispose();
        if (_exchange is not null)
        {
            // A connection that ends after a request (not between two) still holds its exchange and the heads' buffers.
            Http1Exchange.Return(_exchange);
            _exchange = null;
        }

        input.Complete();
        output.Complete();
        _ended(Connection, downstream, failure);
    }

    private static bool IsExpected(Exception e) => e is IOException or SocketException or OperationCanceledException or ObjectDisposedException;
}
