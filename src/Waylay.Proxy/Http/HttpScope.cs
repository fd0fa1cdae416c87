using System.Net;
using Waylay.Proxy.Routing;

namespace Waylay.Proxy.Http;

/// <summary>
/// What an HTTP path needs to know about the captured connection it serves, decided once by the connection core
/// before the first request: which way it goes, the service dialled (outbound) or the app (inbound), and the
/// snapshot every request of the connection is routed with.
/// </summary>
internal sealed class HttpScope(ConnectionContext connection, TrafficDirection direction, RouteTable table, ServiceRoute? service,
    IPEndPoint? inboundTarget, IPEndPoint? inboundSource)
{
    public ConnectionContext Connection { get; } = connection;

    public TrafficDirection Direction { get; } = direction;

    public RouteTable Table { get; } = table;

    /// <summary>Outbound: the service whose address:port was dialled. Null inbound.</summary>
    public ServiceRoute? Service { get; } = service;

    /// <summary>Inbound: the app (127.0.0.1:port, or the pod IP with <c>--inbound-to pod-ip</c>).</summary>
    public IPEndPoint? InboundTarget { get; } = inboundTarget;

    /// <summary>Inbound: the source to bind (127.0.0.6 / ::6 for the pod-IP passthrough), else null.</summary>
    public IPEndPoint? InboundSource { get; } = inboundSource;

    /// <summary>The port the client dialled: the service port, or the app's port inbound.</summary>
    public ushort Port => (ushort)(Connection.OriginalDestination?.EndPoint.Port ?? 0);
}
