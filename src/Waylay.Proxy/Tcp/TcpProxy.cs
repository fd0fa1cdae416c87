using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Waylay.Linux;
using Waylay.Proxy.Pools;
using Waylay.Proxy.Routing;
using Waylay.Proxy.Telemetry;
using Waylay.Proxy.Telemetry.Http;
using Waylay.Proxy.Connections;

namespace Waylay.Proxy.Tcp;

/// <summary>
/// A connection routed as TCP (opaque bytes):
/// <code>
///   :: Step 1  one endpoint choice: a VirtualService's tcp route picks a weighted destination (host and subset),
///              else the service itself; through that cluster's balancer (UpstreamSelector). Inbound and passthrough
///              connections go where the router said.
///   :: Step 2  connect upstream within --connect-timeout; a failure closes the client with a reset, promptly
///   :: Step 3  relay both ways until both sides finish, one resets, it idles out or the drain ends
/// </code>
/// </summary>
internal sealed class TcpProxy(
    UpstreamSelector selector,
    UpstreamConnector connector,
    PipePool? pipes,
    ProxyMetrics metrics,
    IstioPeers peers,
    IstioMetrics istio,
    Random random,
    ILogger logger,
    TimeProvider time)
{
    // :: Step 1
    public TcpUpstream Choose(RouteDecision decision, RouteTable table)
    {
        if (decision.Kind != RouteKind.Service || decision.Service is not { } service)
        {
            return new TcpUpstream(decision.ServiceKey, decision.Target, decision.Source);
        }

        var target = service.TcpTarget(random);
        var choice = selector.Choose(table, target, target.PortFor(service.Port.Port), random);
        var routed = choice.Service ?? service;
        return new TcpUpstream(routed.Key, choice.Endpoint?.Address, null, choice.Endpoint, routed);
    }

    public async Task RelayAsync(Socket downstream, ConnectionContext connection, TcpUpstream upstream, RouteDecision decision, RouteTable table)
    {
        var endpoint = upstream.Endpoint;
        connection.UpstreamAddress = upstream.Target;
        IstioLabels? labels = null;
        endpoint?.Opened();
        try
        {
            // :: Step 2
            var (socket, failure) = await connector.ConnectAsync(upstream.Target!, upstream.Source, connection.Closing.Token).ConfigureAwait(false);
            if (socket is null)
            {
                connection.Outcome = failure;
                var counters = metrics.For(upstream.ServiceKey);
                Interlocked.Increment(ref failure == RelayOutcome.ConnectTimeout ? ref counters.ConnectTimeouts : ref counters.ConnectFailures);
                endpoint?.ConnectFailed();
                ProxyLog.ConnectFailed(logger, connection.Id, upstream.ServiceKey, upstream.Target!.ToString(), failure.ToString());
                SocketReset.Abort(downstream);
                return;
            }

            using (socket)
            {
                connection.UpstreamLocalAddress = socket.LocalEndPoint as IPEndPoint;
                labels = IstioTcpLabels(decision.Kind, upstream, connection, table);
                if (labels is not null)
                {
                    istio.TcpOpened(labels);
                }

                // :: Step 3
                connection.Outcome = await Relay.RunAsync(downstream, socket, connection, pipes, time).ConfigureAwait(false);
            }
        }
        finally
        {
            if (labels is not null)
            {
                // Istio's direction: "sent" is what went back to the caller, "received" what came from it.
                istio.TcpClosed(labels, ResponseFlags.None, connection.BytesToDownstream, connection.BytesToUpstream);
            }

            endpoint?.Closed();
            if (connection.Outcome == RelayOutcome.IdleTimeout)
            {
                metrics.IdleTimeoutOnce();
            }

            if (logger.IsEnabled(LogLevel.Debug))
            {
                ProxyLog.Closed(logger, connection.Id, connection.Direction.ToString(), connection.Client.ToString(), connection.OriginalDestination?.ToString() ?? "?",
                    connection.ServiceKey, upstream.Target?.ToString() ?? "", connection.Outcome.ToString(), connection.BytesToUpstream, connection.BytesToDownstream);
            }
        }
    }

    /// <summary>Istio's TCP metrics cover connections to services and to the app; passthrough traffic has no service to name.</summary>
    private IstioLabels? IstioTcpLabels(RouteKind kind, TcpUpstream upstream, ConnectionContext connection, RouteTable table) => kind switch
    {
        RouteKind.Service when upstream.Service is { } service => peers.Outbound(table, service, upstream.Endpoint, "tcp"),
        RouteKind.Inbound => peers.Inbound(table, connection.Client.EndPoint.Address, (ushort)connection.OriginalDestination!.Value.EndPoint.Port, "tcp"),
        _ => null,
    };
}
