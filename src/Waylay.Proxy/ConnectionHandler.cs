using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Waylay.Linux;
using Waylay.Proxy.Http;
using Waylay.Proxy.OriginalDestination;
using Waylay.Proxy.Routing;
using Waylay.Proxy.Tcp;
using Waylay.Proxy.Telemetry;
using Waylay.Proxy.Configuration;
using Waylay.Proxy.Connections;

namespace Waylay.Proxy;

/// <summary>
/// The life of one accepted connection, one decision per step and none taken back:
/// <code>
///   :: Step 1  original destination (SO_ORIGINAL_DST, or the local address in TPROXY mode)
///   :: Step 2  route (Router): inbound to the app / a known service / passthrough / refused (loop guard)
///   :: Step 3  kind of route, once (ProtocolDecision): declared, or sniffed ─► HTTP/1, h2c, or TCP
///   :: Step 4  HTTP (HttpPath): per request, route ─► policy ─► one endpoint ─► pool ─► forward
///              TCP (TcpProxy): one endpoint (a tcp route's destination, or the service's) ─► connect ─► relay
/// </code>
/// The service's counters are opened and closed here only, for both kinds.
/// </summary>
internal sealed class ConnectionHandler(
    ProxyOptions options,
    Router router,
    RouteTableManager tables,
    ProtocolDecision protocols,
    HttpPath http,
    TcpProxy tcp,
    ConnectionRegistry registry,
    ProxyMetrics metrics,
    ILogger logger,
    TimeProvider time)
{
    // One delegate for every HTTP/1 connection (made on first use: an initializer cannot name an instance method).
    private Action<ConnectionContext, SafeHandle, Exception?>? _http1Ended;

    /// <summary>
    /// Serves one accepted connection: <paramref name="downstream"/> is its bare descriptor (ProxyListener), which
    /// becomes a .NET Socket only where one is needed (the L4 relay, Kestrel's h2c), and <paramref name="client"/>
    /// who connected.
    /// </summary>
    public async Task HandleAsync(DescriptorHandle downstream, IPEndPoint client, ListenerKind listener)
    {
        var connection = new ConnectionContext(registry.NextId(), listener, new ClientAddress(client), time.GetTimestamp());
        metrics.DownstreamOpened(listener);
        registry.Add(connection);
        var handedOn = false;
        Socket? socket = null; // the descriptor's owner from the moment a .NET Socket is made of it
        try
        {
            // One async method for the whole connection (the steps below were a method of their own): a held
            // connection keeps one state machine less alive.
            TcpAccept.SetNoDelay(downstream);

            // :: Step 1
            var original = OriginalDestinationReader.Read(downstream, options.Transparent);
            connection.OriginalDestination = original.Destination;
            connection.LocalAddress = original.Local;

            // :: Step 2
            var table = tables.Current;
            connection.Snapshot = table.Model;
            var decision = router.Decide(connection.Listener, original, table);
            connection.Direction = decision.Direction;
            connection.ServiceKey = decision.ServiceKey;
            if (decision.IsRefused)
            {
                var loop = decision.Kind == RouteKind.RefusedNotRedirected
                    ? "dialled the proxy's port directly (not redirected by the capture rules): relaying would loop"
                    : "the original destination is the proxy's own listener: relaying would loop (is the proxy running as the uid capture exempts?)";
                metrics.LoopRefusedOnce();
                Refuse(downstream, connection, decision.Kind == RouteKind.RefusedNotRedirected ? RelayOutcome.RefusedNotRedirected : RelayOutcome.RefusedLoop, loop);
                return;
            }

            // :: Step 3 (a client that has not spoken yet is waited for here, in this method's state machine: one per
            // waiting connection, where a detection method of its own made three, docs/designs/proxy.md, "Memory")
            if (!protocols.TryDecide(downstream, connection, decision, table, out var protocol, out var sniff))
            {
                try
                {
                    var decided = false;
                    while (!decided)
                    {
                        var timedOut = false;
                        try
                        {
                            await sniff.WaitAsync(connection.Closing.Token).ConfigureAwait(false);
                        }
                        catch (OperationCanceledException) when (sniff.TimedOut && !connection.Closing.IsCancellationRequested)
                        {
                            timedOut = true;
                        }

                        decided = protocols.Continue(ref sniff, connection, timedOut, out protocol);
                    }
                }
                catch
                {
                    ProtocolDecision.Abandon(sniff, connection);
                    throw;
                }
                finally
                {
                    sniff.Dispose();
                }
            }

            // :: Step 4 (TCP: the one endpoint choice comes first; the service it lands on is the one counted)
            var upstream = default(TcpUpstream);
            var serviceKey = decision.ServiceKey;
            if (protocol.Kind == RouteProtocolKind.Tcp)
            {
                upstream = tcp.Choose(decision, table);
                serviceKey = connection.ServiceKey = upstream.ServiceKey;
                if (upstream.Target is null)
                {
                    Interlocked.Increment(ref metrics.For(serviceKey).NoHealthyEndpoint);
                    Refuse(downstream, connection, RelayOutcome.NoHealthyEndpoint, $"service {serviceKey} has no healthy endpoint");
                    return;
                }
            }

            var counters = metrics.For(serviceKey);
            counters.Opened();
            if (protocol.Kind == RouteProtocolKind.Http1)
            {
                // Handed on, not awaited: the request loop ends the connection itself (Http1Ended), so a held
                // keep-alive connection keeps no state machine of this method (nor of HttpPath's) alive.
                http.StartHttp1(protocol.Polled!, http.Scope(protocol, connection, decision, table), _http1Ended ??= Http1Ended);
                handedOn = true;
                return;
            }

            try
            {
                // Off the loop (or never on it): from here .NET's socket engine drives the descriptor.
                socket = downstream.ToSocket();
                await (protocol.Kind == RouteProtocolKind.Tcp
                    ? tcp.RelayAsync(socket, connection, upstream, decision, table)
                    : http.ServeHttp2Async(socket, connection, http.Scope(protocol, connection, decision, table))).ConfigureAwait(false);
            }
            finally
            {
                counters.Closed(connection);
            }
        }
        catch (Exception e)
        {
            ProxyLog.Unexpected(logger, e, connection.Id);
            if (socket is not null)
            {
                SocketReset.Abort(socket);
            }

            SocketReset.Abort(downstream);
        }
        finally
        {
            if (!handedOn)
            {
                socket?.Dispose();
                Closed(connection, downstream);
            }
        }
    }

    /// <summary>The end of an HTTP/1 connection handed on by <see cref="HandleAsync"/>: what its finally does for the others.</summary>
    private void Http1Ended(ConnectionContext connection, SafeHandle downstream, Exception? unexpected)
    {
        metrics.For(connection.ServiceKey).Closed(connection);
        if (unexpected is not null)
        {
            ProxyLog.Unexpected(logger, unexpected, connection.Id);
            SocketReset.Abort(downstream);
        }

        Closed(connection, downstream);
    }

    private void Closed(ConnectionContext connection, SafeHandle downstream)
    {
        registry.Remove(connection);
        metrics.DownstreamClosed(connection.Listener);
        connection.Closing.Dispose();
        downstream.Dispose();
    }

    private void Refuse(DescriptorHandle downstream, ConnectionContext connection, RelayOutcome outcome, string reason)
    {
        connection.Outcome = outcome;
        ProxyLog.Refused(logger, connection.Id, connection.Client.ToString(), reason, connection.OriginalDestination?.ToString() ?? "?");
        SocketReset.Abort(downstream);
    }
}
