using System.Net.Sockets;
using System.Runtime.InteropServices;
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
    /// What an HTTP connection needs to know of the connection it serves, decided once (<see cref="HttpScope"/>).
    /// </summary>
    public HttpScope Scope(RouteProtocol protocol, ConnectionContext connection, RouteDecision decision, RouteTable table)
    {
        var inbound = decision.Kind == RouteKind.Inbound;
        return new HttpScope(connection, decision.Direction, table, decision.Service, inbound ? decision.Target : null, inbound ? decision.Source : null)
        {
            Current = current,
        };
    }

    /// <summary>An h2c connection's requests, through Kestrel, until it ends.</summary>
    public async Task ServeHttp2Async(Socket downstream, ConnectionContext connection, HttpScope scope)
    {
        // The preface was peeked, not read: Kestrel reads the connection from its first byte.
        await Services.Http2!.ServeAsync(downstream, ReadOnlyMemory<byte>.Empty, scope, connection.Closing.Token).ConfigureAwait(false);
        connection.Outcome = connection.Closing.IsCancellationRequested ? RelayOutcome.ClosedByProxy : RelayOutcome.Completed;
    }

    /// <summary>
    /// Starts serving an HTTP/1 connection on Waylay's event loop (also the gateway's connections) and returns: it is
    /// handed on rather than awaited, and <paramref name="ended"/> is called once it is over and its socket let go
    /// (<see cref="Http1Connection.RunAsync"/>).
    /// </summary>
    public void StartHttp1(EpollSocket polled, HttpScope scope, Action<ConnectionContext, SafeHandle, Exception?> ended) =>
        new Http1Connection(Services, scope, polled, draining, ended).Start();
}
