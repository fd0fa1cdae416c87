using System.Net.Sockets;
using Waylay.Proxy.Http.Forwarding;
using Waylay.Proxy.Io;
using Waylay.Proxy.Routing;
using Waylay.Proxy.Telemetry;
using Waylay.Proxy.Connections;
using Waylay.Proxy.Http.Policy;

namespace Waylay.Proxy.Http;

/// <summary>
/// A connection routed as HTTP (<see cref="ProtocolDecision"/>), served request by request: HTTP/1 on Waylay's event
/// loop (<see cref="Http1Connection"/>), h2c through Kestrel (<see cref="Http2.Http2Gateway"/>). Each request is
/// routed on its own, under the snapshot in force when it arrives (<see cref="HttpScope.ForNextRequest"/>).
/// </summary>
internal sealed class HttpPath(HttpServices http, Func<bool> draining, Func<RouteTable> current)
{
    public HttpServices Services { get; } = http;

    /// <summary>
    /// The connection's requests until it ends. HTTP/1 is handed on rather than awaited here: a held keep-alive
    /// connection then keeps one async state machine less alive (~190 bytes each, docs/designs/proxy.md, "Memory").
    /// </summary>
    public Task ServeAsync(RouteProtocol protocol, Socket downstream, ConnectionContext connection, RouteDecision decision, RouteTable table)
    {
        var inbound = decision.Kind == RouteKind.Inbound;
        var scope = new HttpScope(connection, decision.Direction, table, decision.Service, inbound ? decision.Target : null, inbound ? decision.Source : null)
        {
            Current = current,
            Loop = protocol.Polled?.Loop,
        };
        return protocol.Kind == RouteProtocolKind.Http2 ? ServeHttp2Async(downstream, connection, scope) : ServeHttp1Async(protocol.Polled!, connection, scope);
    }

    private async Task ServeHttp2Async(Socket downstream, ConnectionContext connection, HttpScope scope)
    {
        // The preface was peeked, not read: Kestrel reads the connection from its first byte.
        await Services.Http2!.ServeAsync(downstream, ReadOnlyMemory<byte>.Empty, scope, connection.Closing.Token).ConfigureAwait(false);
        connection.Outcome = connection.Closing.IsCancellationRequested ? RelayOutcome.ClosedByProxy : RelayOutcome.Completed;
    }

    /// <summary>Serves an HTTP/1 connection on Waylay's event loop until it ends (also the gateway's connections).</summary>
    internal async Task ServeHttp1Async(EpollSocket polled, ConnectionContext connection, HttpScope scope)
    {
        var downstream = polled.Socket;
        var input = new SocketPipeReader(polled);
        var output = new SocketPipeWriter(polled);
        try
        {
            connection.Outcome = await StartWithoutContext(new Http1Connection(Services, scope, input, output, draining)).ConfigureAwait(false);
            downstream.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            connection.Outcome = connection.Closing.IsCancellationRequested ? RelayOutcome.ClosedByProxy : RelayOutcome.Reset;
            polled.Dispose();
            Waylay.Linux.SocketReset.Abort(downstream);
        }
        finally
        {
            polled.Dispose();
            await input.CompleteAsync().ConfigureAwait(false);
            await output.CompleteAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Starts the request loop without an execution context to flow (no AsyncLocal is read on this path): its state
    /// machine then resumes straight on the loop's thread, not through ExecutionContext.RunInternal, once per await.
    /// </summary>
    private static Task<RelayOutcome> StartWithoutContext(Http1Connection connection)
    {
        if (ExecutionContext.IsFlowSuppressed())
        {
            return connection.RunAsync();
        }

        using (ExecutionContext.SuppressFlow())
        {
            return connection.RunAsync();
        }
    }
}
