using System.Net.Sockets;
using Waylay.Proxy.Io;
using Waylay.Proxy.Connections;

namespace Waylay.Proxy.Routing;

/// <summary>
/// Step 3 of a connection: which kind of route it takes, TCP or HTTP, decided once. Only connections to a known
/// service and inbound ones to the app are looked at (passthrough traffic has no routes to apply); a port declared
/// <c>tcp</c> (name prefix <c>tcp-</c>, appProtocol tcp, mysql, …) is never sniffed, as in Istio, and a port declared
/// HTTP (<c>http-</c>, <c>grpc-</c>, appProtocol http…) is always HTTP: h2c, or the HTTP/1 parser, never the L4
/// relay. Inbound, a port is declared by the services whose endpoints it serves (<see cref="RouteTable.InboundProtocol"/>).
/// </summary>
/// <param name="http2">Whether the h2c path runs (it does not in tests of the HTTP/1 path alone).</param>
internal sealed class ProtocolDecision(ProtocolDetector detector, bool http2)
{
    public async ValueTask<RouteProtocol> DecideAsync(Socket downstream, ConnectionContext connection, RouteDecision decision, RouteTable table)
    {
        var service = decision.Service;
        var eligible = decision.Kind is RouteKind.Inbound || (decision.Kind is RouteKind.Service && service is not null);
        var declared = service?.Protocol
            ?? (decision.Kind is RouteKind.Inbound && connection.OriginalDestination is { } original ? table.InboundProtocol(original.EndPoint) : DeclaredProtocol.Unknown);
        if (!eligible || declared == DeclaredProtocol.Opaque)
        {
            return RouteProtocol.Tcp;
        }

        // From here the socket is on Waylay's own event loop (Io/EpollLoop.cs): HTTP/1 stays there; anything else
        // leaves it, unread, before .NET's socket engine (the L4 relay, Kestrel) first touches it.
        var polled = EpollSocket.Attach(downstream);
        connection.Poll(polled);
        SniffResult sniff;
        try
        {
            sniff = await detector.DetectAsync(polled, declared is DeclaredProtocol.Http or DeclaredProtocol.Http2, connection.Closing.Token)
                .ConfigureAwait(false);
        }
        catch
        {
            connection.Poll(null);
            polled.Detach();
            throw;
        }

        var h2 = sniff.Protocol == SniffedProtocol.Http2 && http2;
        if (!h2 && declared is DeclaredProtocol.Http or DeclaredProtocol.Http2)
        {
            // A port declared HTTP is never an opaque tunnel past HTTP policy: whatever is not h2c goes to the HTTP/1
            // parser, which answers what is not HTTP with 400, as Envoy's codec does on an HTTP listener.
            return new RouteProtocol(RouteProtocolKind.Http1, polled);
        }

        if (sniff.Protocol == SniffedProtocol.Http1)
        {
            return new RouteProtocol(RouteProtocolKind.Http1, polled);
        }

        connection.Poll(null);
        polled.Detach();
        return h2 ? new RouteProtocol(RouteProtocolKind.Http2) : RouteProtocol.Tcp;
    }
}
