using System.Net;
using Waylay.Proxy.Routing;
using Waylay.Proxy.Connections;

namespace Waylay.Proxy.Http.Policy;

/// <summary>
/// What an HTTP path needs to know about the captured connection it serves, decided once by the connection core
/// before the first request: which way it goes, the service dialled (outbound) or the app (inbound), and where each
/// request finds the snapshot in force (<see cref="ForNextRequest"/>).
/// </summary>
internal sealed class HttpScope(ConnectionContext connection, TrafficDirection direction, RouteTable table, ServiceRoute? service,
    IPEndPoint? inboundTarget, IPEndPoint? inboundSource)
{
    public ConnectionContext Connection { get; } = Directed(connection, direction);

    /// <summary>The connection's own (set here, as the connection core decided it): not a field of its own as well.</summary>
    public TrafficDirection Direction => Connection.Direction;

    public RouteTable Table { get; } = table;

    /// <summary>Outbound: the service whose address:port was dialled. Null inbound.</summary>
    public ServiceRoute? Service { get; } = service;

    /// <summary>Inbound: the app (127.0.0.1:port, or the pod IP with <c>--inbound-to pod-ip</c>).</summary>
    public IPEndPoint? InboundTarget { get; } = inboundTarget;

    /// <summary>Inbound: the source to bind (127.0.0.6 / ::6 for the pod-IP passthrough), else null.</summary>
    public IPEndPoint? InboundSource { get; } = inboundSource;

    /// <summary>
    /// The snapshot now in force. HTTP applies a rule change to the next request of an open keep-alive connection,
    /// as Envoy applies a route update; bytes already in flight keep theirs. Null: <see cref="Table"/> for good.
    /// </summary>
    public Func<RouteTable>? Current { get; init; }

    /// <summary>Gateway mode: each request is routed by its Host on this Gateway port, not by the service dialled.</summary>
    public GatewayBinding? Gateway { get; init; }

    /// <summary>
    /// HTTP/1: the event loop of the downstream socket, where this connection's upstreams are taken from (the
    /// connection's own, not a field kept here as well).
    /// </summary>
    public Io.EpollLoop? Loop => Connection.Polled?.Loop;

    /// <summary>
    /// One object, so a reader never pairs one snapshot's table with another's service: h2 connections route their
    /// concurrent streams through this at once. Allocated only when the snapshot changes; null until then (the
    /// connection's own table and service: most connections never see a change, and a held one kept the pair).
    /// </summary>
    private Tuple<RouteTable, ServiceRoute?>? _latest;

    /// <summary>The table and the dialled service to route the next request with (safe to call from concurrent streams).</summary>
    public (RouteTable Table, ServiceRoute? Service) ForNextRequest()
    {
        var current = Current?.Invoke() ?? Table;
        var latest = Volatile.Read(ref _latest);
        if (latest is null && ReferenceEquals(current, Table))
        {
            return (Table, Service);
        }

        if (latest is not null && ReferenceEquals(current, latest.Item1))
        {
            return (latest.Item1, latest.Item2);
        }

        // A service that is gone from the new snapshot keeps being served by the one it was dialled under.
        var next = Service is null || Connection.OriginalDestination is not { } destination
            ? new Tuple<RouteTable, ServiceRoute?>(current, Service)
            : current.TryGetService(destination.EndPoint, out var route)
                ? new Tuple<RouteTable, ServiceRoute?>(current, route)
                : new Tuple<RouteTable, ServiceRoute?>(Table, Service);
        Volatile.Write(ref _latest, next);
        return (next.Item1, next.Item2);
    }

    private static ConnectionContext Directed(ConnectionContext connection, TrafficDirection direction)
    {
        connection.Direction = direction;
        return connection;
    }

    /// <summary>The port the client dialled: the service port, or the app's port inbound.</summary>
    public ushort Port => (ushort)(Connection.OriginalDestination?.EndPoint.Port ?? 0);
}
