using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Waylay.Linux;
using Waylay.Proxy.Http;
using Waylay.Proxy.Listeners;
using Waylay.Proxy.OriginalDestination;
using Waylay.Proxy.Pools;
using Waylay.Proxy.Routing;
using Waylay.Proxy.Telemetry;
using Waylay.Proxy.Telemetry.Http;

namespace Waylay.Proxy.Tcp;

/// <summary>
/// The life of one accepted connection:
/// <code>
///   :: Step 1  original destination (SO_ORIGINAL_DST, or the local address in TPROXY mode)
///   :: Step 2  route: inbound / service endpoint / passthrough / refused (loop guard, no healthy endpoint)
///   :: Step 2½ protocol (inbound and services only): HTTP/1 ─► the HTTP forwarder, request by request;
///              HTTP/2 ─► the h2 gateway; anything else (or a port declared tcp) ─► on to Step 3 untouched
///   :: Step 3  connect upstream within --connect-timeout; a failure closes the client with a reset, promptly
///   :: Step 4  relay both ways until both sides finish, one resets, it idles out or the drain ends
/// </code>
/// </summary>
internal sealed class TcpProxy(
    ProxyOptions options,
    Router router,
    RouteTableManager config,
    UpstreamConnector connector,
    PipePool? pipes,
    ConnectionRegistry registry,
    ProxyMetrics metrics,
    ILogger logger,
    TimeProvider time,
    HttpPath? http = null)
{
    public async Task HandleAsync(Socket downstream, ListenerKind listener)
    {
        var client = new ClientAddress(downstream.RemoteEndPoint is IPEndPoint remote ? Addresses.Normalize(remote) : new IPEndPoint(IPAddress.None, 0));
        var connection = new ConnectionContext(registry.NextId(), listener, client, time.GetTimestamp());
        metrics.DownstreamOpened(listener);
        registry.Add(connection);
        try
        {
            await HandleCoreAsync(downstream, connection).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            ProxyLog.Unexpected(logger, e, connection.Id);
            SocketReset.Abort(downstream);
        }
        finally
        {
            registry.Remove(connection);
            metrics.DownstreamClosed(listener);
            connection.Closing.Dispose();
            downstream.Dispose();
        }
    }

    private async Task HandleCoreAsync(Socket downstream, ConnectionContext connection)
    {
        downstream.NoDelay = true;

        // :: Step 1
        var original = OriginalDestinationReader.Read(downstream, options.Transparent);
        connection.OriginalDestination = original.Destination;
        connection.LocalAddress = downstream.LocalEndPoint is IPEndPoint local ? Addresses.Normalize(local) : null;

        // :: Step 2
        var table = config.Current;
        connection.Snapshot = table;
        var decision = router.Decide(connection.Listener, original, table);
        connection.Direction = decision.Direction;
        connection.ServiceKey = decision.ServiceKey;

        // :: Step 2½
        if (http is not null && await http.TryServeAsync(downstream, connection, decision, table).ConfigureAwait(false))
        {
            return;
        }

        decision = TcpRoute(decision, table);
        connection.ServiceKey = decision.ServiceKey;

        if (decision.IsRefused)
        {
            Refuse(downstream, connection, decision);
            return;
        }

        var counters = metrics.For(decision.ServiceKey);
        var endpoint = decision.Endpoint;
        connection.Endpoint = endpoint;
        connection.UpstreamAddress = decision.Target;

        // :: Step 3
        IstioLabels? istio = null;
        endpoint?.Opened();
        Interlocked.Increment(ref counters.Total);
        Interlocked.Increment(ref counters.Active);
        try
        {
            var (upstream, failure) = await connector.ConnectAsync(decision.Target!, decision.Source, connection.Closing.Token).ConfigureAwait(false);
            if (upstream is null)
            {
                connection.Outcome = failure;
                Interlocked.Increment(ref failure == RelayOutcome.ConnectTimeout ? ref counters.ConnectTimeouts : ref counters.ConnectFailures);
                endpoint?.ConnectFailed();
                ProxyLog.ConnectFailed(logger, connection.Id, decision.ServiceKey, decision.Target!.ToString(), failure.ToString());
                SocketReset.Abort(downstream);
                return;
            }

            using (upstream)
            {
                connection.UpstreamLocalAddress = upstream.LocalEndPoint as IPEndPoint;
                istio = IstioTcpLabels(decision, connection, table);
                if (istio is not null)
                {
                    http!.Services.Telemetry.Metrics.TcpOpened(istio);
                }

                // :: Step 4
                connection.Outcome = await Relay.RunAsync(downstream, upstream, connection, pipes, time).ConfigureAwait(false);
            }
        }
        finally
        {
            if (istio is not null)
            {
                // Istio's direction: "sent" is what went back to the caller, "received" what came from it.
                http!.Services.Telemetry.Metrics.TcpClosed(istio, ResponseFlags.None,
                    connection.BytesToDownstream, connection.BytesToUpstream);
            }

            Interlocked.Add(ref counters.BytesSent, connection.BytesToUpstream);
            Interlocked.Add(ref counters.BytesReceived, connection.BytesToDownstream);
            Interlocked.Decrement(ref counters.Active);
            endpoint?.Closed();
            if (connection.Outcome == RelayOutcome.IdleTimeout)
            {
                metrics.IdleTimeoutOnce();
            }

            if (logger.IsEnabled(LogLevel.Debug))
            {
                ProxyLog.Closed(logger, connection.Id, connection.Direction.ToString(), connection.Client.ToString(), original.Destination.ToString(),
                    connection.ServiceKey, decision.Target?.ToString() ?? "", connection.Outcome.ToString(), connection.BytesToUpstream, connection.BytesToDownstream);
            }
        }
    }

    /// <summary>
    /// A VirtualService's <c>tcp</c> routes for opaque traffic: the first whose ports include the connection's picks a
    /// weighted destination (host and subset), balanced like an HTTP request. Without one, the service's own endpoints.
    /// </summary>
    private RouteDecision TcpRoute(RouteDecision decision, RouteTable table)
    {
        if (http is null || decision.Service is not { } service)
        {
            return decision;
        }

        var port = service.Port.Port;
        if (service.HostRoutes.SelectTcp(port, Random.Shared) is not { } target)
        {
            return decision;
        }

        var choice = http.Services.Selector.Choose(table, new Http.Routing.RouteSelection(Http.Routing.RouteOutcome.Routed, null, target, null, port), Random.Shared);
        var routed = choice.Service ?? service;
        return choice.Endpoint is { } endpoint
            ? new RouteDecision(RouteKind.Service, TrafficDirection.Outbound, routed.Key, endpoint.Address, null, endpoint, routed)
            : new RouteDecision(RouteKind.NoHealthyEndpoint, TrafficDirection.Outbound, routed.Key, Service: routed);
    }

    /// <summary>Istio's TCP metrics cover connections to services and to the app; passthrough traffic has no service to name.</summary>
    private IstioLabels? IstioTcpLabels(RouteDecision decision, ConnectionContext connection, RouteTable table)
    {
        if (http is null)
        {
            return null;
        }

        var peers = http.Services.Peers;
        return decision.Kind switch
        {
            RouteKind.Service when decision.Service is { } service => peers.Outbound(table, service, decision.Endpoint, "tcp"),
            RouteKind.Inbound => peers.Inbound(table, connection.Client.EndPoint.Address, (ushort)connection.OriginalDestination!.Value.EndPoint.Port, "tcp"),
            _ => null,
        };
    }

    private void Refuse(Socket downstream, ConnectionContext connection, RouteDecision decision)
    {
        string reason;
        switch (decision.Kind)
        {
            case RouteKind.NoHealthyEndpoint:
                connection.Outcome = RelayOutcome.NoHealthyEndpoint;
                Interlocked.Increment(ref metrics.For(decision.ServiceKey).NoHealthyEndpoint);
                reason = $"service {decision.ServiceKey} has no healthy endpoint";
                break;
            case RouteKind.RefusedNotRedirected:
                connection.Outcome = RelayOutcome.RefusedNotRedirected;
                metrics.LoopRefusedOnce();
                reason = "dialled the proxy's port directly (not redirected by the capture rules): relaying would loop";
                break;
            default:
                connection.Outcome = RelayOutcome.RefusedLoop;
                metrics.LoopRefusedOnce();
                reason = "the original destination is the proxy's own listener: relaying would loop (is the proxy running as the uid capture exempts?)";
                break;
        }

        ProxyLog.Refused(logger, connection.Id, connection.Client.ToString(), reason, connection.OriginalDestination?.ToString() ?? "?");
        SocketReset.Abort(downstream);
    }
}
