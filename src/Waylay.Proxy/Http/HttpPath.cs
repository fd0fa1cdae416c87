using System.Net.Sockets;
using Waylay.Proxy.Http.Forwarding;
using Waylay.Proxy.Io;
using Waylay.Proxy.Routing;
using Waylay.Proxy.Tcp;
using Waylay.Proxy.Telemetry;

namespace Waylay.Proxy.Http;

/// <summary>
/// Step 2½ of a connection: whether it is HTTP, and if so serving it request by request. Only connections to a known
/// service and inbound ones to the app are looked at (passthrough traffic has no routes to apply); a port declared
/// <c>tcp</c> (name prefix <c>tcp-</c>, appProtocol tcp, mysql, …) is never sniffed, as in Istio, and a port declared
/// HTTP (<c>http-</c>, <c>grpc-</c>, appProtocol http…) is always HTTP: h2c, or the HTTP/1 parser, never the L4
/// relay. Inbound, a port is declared by the services whose endpoints it serves (<see cref="RouteTable.InboundProtocol"/>).
/// </summary>
internal sealed class HttpPath(HttpServices http, ProtocolDetector detector, ProxyMetrics metrics, Func<bool> draining, Func<RouteTable> current)
{
    public HttpServices Services { get; } = http;

    /// <summary>True when the connection was HTTP and has been served; false leaves it, unread, to the L4 path.</summary>
    public async Task<bool> TryServeAsync(Socket downstream, ConnectionContext connection, RouteDecision decision, RouteTable table)
    {
        var service = decision.Service;
        var eligible = decision.Kind is RouteKind.Inbound || service is not null;
        var declared = service?.Protocol
            ?? (decision.Kind is RouteKind.Inbound && connection.OriginalDestination is { } original ? table.InboundProtocol(original.EndPoint) : DeclaredProtocol.Unknown);
        if (!eligible || declared == DeclaredProtocol.Opaque)
        {
            return false;
        }

        // From here the socket is on Waylay's own event loop (Io/EpollLoop.cs): HTTP/1 stays there; anything else
        // leaves it, unread, before .NET's socket engine (the L4 relay, Kestrel) first touches it.
        var polled = EpollSocket.Attach(downstream);
        polled.CancelWith(connection.Closing.Token);
        SniffResult sniff;
        try
        {
            sniff = await detector.DetectAsync(polled, declared is DeclaredProtocol.Http or DeclaredProtocol.Http2, connection.Closing.Token)
                .ConfigureAwait(false);
        }
        catch
        {
            polled.Detach();
            throw;
        }

        var h2 = sniff.Protocol == SniffedProtocol.Http2 && Services.Http2 is not null;
        if (!h2 && declared is DeclaredProtocol.Http or DeclaredProtocol.Http2)
        {
            // A port declared HTTP is never an opaque tunnel past HTTP policy: whatever is not h2c goes to the HTTP/1
            // parser, which answers what is not HTTP with 400, as Envoy's codec does on an HTTP listener.
            sniff = new SniffResult(SniffedProtocol.Http1);
        }

        if (sniff.Protocol != SniffedProtocol.Http1)
        {
            polled.Detach();
            if (!h2)
            {
                return false;
            }
        }

        var scope = new HttpScope(connection, decision.Direction, table, service,
            decision.Kind == RouteKind.Inbound ? decision.Target : null, decision.Kind == RouteKind.Inbound ? decision.Source : null)
        {
            Current = current,
            Loop = polled.Loop,
        };
        var counters = metrics.For(decision.ServiceKey);
        Interlocked.Increment(ref counters.Total);
        Interlocked.Increment(ref counters.Active);
        try
        {
            if (h2)
            {
                // The preface was peeked, not read: Kestrel reads the connection from its first byte.
                await Services.Http2!.ServeAsync(downstream, ReadOnlyMemory<byte>.Empty, scope, connection.Closing.Token).ConfigureAwait(false);
                connection.Outcome = connection.Closing.IsCancellationRequested ? RelayOutcome.ClosedByProxy : RelayOutcome.Completed;
            }
            else
            {
                await ServeHttp1Async(polled, connection, scope).ConfigureAwait(false);
            }
        }
        finally
        {
            Interlocked.Add(ref counters.BytesSent, connection.BytesToUpstream);
            Interlocked.Add(ref counters.BytesReceived, connection.BytesToDownstream);
            Interlocked.Decrement(ref counters.Active);
        }

        return true;
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
