using Waylay.Linux;
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
    /// <summary>
    /// Decides at once when it can: a connection that is not sniffed (TCP), or one whose first bytes came with it.
    /// False: the client has not said enough yet; await <paramref name="sniff"/>'s wait, then <see cref="Continue"/>
    /// (and <see cref="PendingSniff.Dispose"/> at the end; <see cref="Abandon"/> if the wait fails).
    /// </summary>
    public bool TryDecide(DescriptorHandle downstream, ConnectionContext connection, RouteDecision decision, RouteTable table, out RouteProtocol protocol,
        out PendingSniff sniff)
    {
        sniff = default;
        var service = decision.Service;
        var eligible = decision.Kind is RouteKind.Inbound || (decision.Kind is RouteKind.Service && service is not null);
        var declared = service?.Protocol
            ?? (decision.Kind is RouteKind.Inbound && connection.OriginalDestination is { } original ? table.InboundProtocol(original.EndPoint) : DeclaredProtocol.Unknown);
        if (!eligible || declared == DeclaredProtocol.Opaque)
        {
            protocol = RouteProtocol.Tcp;
            return true;
        }

        // From here the socket is on Waylay's own event loop (Io/EpollLoop.cs): HTTP/1 stays there; anything else
        // leaves it, unread, before .NET's socket engine (the L4 relay, Kestrel) first touches it.
        var polled = EpollSocket.Attach(downstream);
        connection.Poll(polled);
        var declaredHttp = declared is DeclaredProtocol.Http or DeclaredProtocol.Http2;
        try
        {
            if (polled.MayRead && ProtocolDetector.Peek(polled, declaredHttp) is { Protocol: not SniffedProtocol.NeedMoreData } first)
            {
                protocol = Conclude(first, polled, declared, connection);
                return true;
            }
        }
        catch
        {
            Abandon(new PendingSniff(polled, declared, null), connection);
            throw;
        }

        sniff = new PendingSniff(polled, declared, detector.StartTimer(declaredHttp));
        protocol = default;
        return false;
    }

    /// <summary>After a wait (<paramref name="timedOut"/>: the detection timeout ended it): true when decided now.</summary>
    public bool Continue(ref PendingSniff sniff, ConnectionContext connection, bool timedOut, out RouteProtocol protocol)
    {
        var result = timedOut ? new SniffResult(SniffedProtocol.Opaque) : ProtocolDetector.Peek(sniff.Polled, sniff.DeclaredHttp);
        if (result.Protocol == SniffedProtocol.NeedMoreData)
        {
            protocol = default;
            return false;
        }

        protocol = Conclude(result, sniff.Polled, sniff.Declared, connection);
        return true;
    }

    /// <summary>The wait failed (the connection closing, the socket aborted): the socket leaves the loop, its bytes unread.</summary>
    public static void Abandon(in PendingSniff sniff, ConnectionContext connection)
    {
        sniff.Polled.MarkReadable();
        connection.Poll(null);
        sniff.Polled.Detach();
    }

    private RouteProtocol Conclude(SniffResult sniff, EpollSocket polled, DeclaredProtocol declared, ConnectionContext connection)
    {
        // Whatever the answer, the bytes are still in the socket, and no edge will say so again.
        polled.MarkReadable();
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
