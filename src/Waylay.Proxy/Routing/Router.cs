using System.Net;
using System.Net.Sockets;
using Waylay.Proxy.Configuration;
using Waylay.Proxy.OriginalDestination;
using Waylay.Proxy.Connections;

namespace Waylay.Proxy.Routing;

/// <summary>
/// Decides where a connection goes from where it meant to go:
/// <code>
///   not redirected, or to our own listener ─► refused (loop guard)
///   to one of the pod's addresses (or on 15006) ─► inbound: 127.0.0.1:port, or pod IP:port from 127.0.0.6
///   to a service address:port ─► that service (its endpoint is chosen later, once: per connection for TCP, per request for HTTP)
///   anything else ─► passthrough to the original destination
/// </code>
/// </summary>
internal sealed class Router(ProxyOptions options, PodAddresses pod)
{
    private static readonly IPEndPoint InboundSourceV4 = new(IPAddress.Parse("127.0.0.6"), 0);

    private static readonly IPEndPoint InboundSourceV6 = new(IPAddress.Parse("::6"), 0);

    /// <summary>The source Istio's capture rules exempt for inbound connections to the pod IP (istio/istio#29603).</summary>
    public static IPEndPoint InboundSource(AddressFamily family) => family == AddressFamily.InterNetworkV6 ? InboundSourceV6 : InboundSourceV4;

    public RouteDecision Decide(ListenerKind listener, OriginalDestinationResult original, RouteTable table)
    {
        var destination = original.Destination.EndPoint;
        if (original.Status != OriginalDestinationStatus.Redirected)
        {
            return new RouteDecision(RouteKind.RefusedNotRedirected, TrafficDirection.Unknown, "loop");
        }

        var own = pod.IsOwn(destination.Address);
        if ((own || IPAddress.IsLoopback(destination.Address)) && IsListenerPort(destination.Port))
        {
            return new RouteDecision(RouteKind.RefusedLoop, TrafficDirection.Unknown, "loop");
        }

        if (own || listener == ListenerKind.Inbound)
        {
            return Inbound(destination, own);
        }

        if (table.TryGetService(destination, out var route))
        {
            return new RouteDecision(RouteKind.Service, TrafficDirection.Outbound, route.Key, Service: route);
        }

        return new RouteDecision(RouteKind.Passthrough, TrafficDirection.Outbound, "passthrough", destination);
    }

    private RouteDecision Inbound(IPEndPoint destination, bool own)
    {
        var v6 = destination.AddressFamily == AddressFamily.InterNetworkV6;
        if (options.InboundTo == InboundTarget.PodIp && own)
        {
            return new RouteDecision(RouteKind.Inbound, TrafficDirection.Inbound, "inbound", destination, InboundSource(destination.AddressFamily));
        }

        // Kept once per app port (SharedAddresses): every held inbound connection kept a copy of its own (32 B).
        var loopback = SharedAddresses.Intern(new IPEndPoint(v6 ? IPAddress.IPv6Loopback : IPAddress.Loopback, destination.Port));
        return new RouteDecision(RouteKind.Inbound, TrafficDirection.Inbound, "inbound", loopback);
    }

    private bool IsListenerPort(int port) =>
        port == options.OutboundPort || port == options.InboundPort || port == options.AdminPort || port == options.HealthPort;
}
