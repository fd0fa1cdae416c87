using System.Net;
using System.Net.Sockets;
using Waylay.Proxy.Connections;

namespace Waylay.Proxy.Pools;

/// <summary>
/// The h2c client the gateway forwards with: one <see cref="SocketsHttpHandler"/> (its pools are per endpoint
/// address:port, and every request picks its endpoint, so one downstream h2 connection spreads over all of them).
/// It is a plain transport, nothing else: no proxy, no cookies, no redirects, no decompression, no header
/// propagation of its own. Connects go through <see cref="UpstreamConnector"/>, which binds the inbound source
/// (127.0.0.6 / ::6 with IP_FREEBIND) when the request is the inbound one to the pod IP.
/// </summary>
internal static class UpstreamHttpClient
{
    /// <param name="inboundSource">Bind the inbound passthrough source (<see cref="Waylay.Proxy.Routing.Router.InboundSource"/>) of the target's family.</param>
    public static HttpMessageInvoker Create(UpstreamConnector connector, bool inboundSource, TimeSpan idleTimeout, Http2UpstreamConnections registry, TimeProvider time)
    {
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            ActivityHeadersPropagator = null,
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = idleTimeout,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            ConnectCallback = (context, cancellationToken) => ConnectAsync(connector, inboundSource, context.DnsEndPoint, registry, time, cancellationToken),
        };
        return new HttpMessageInvoker(handler, disposeHandler: true);
    }

    private static async ValueTask<Stream> ConnectAsync(UpstreamConnector connector, bool inboundSource, DnsEndPoint endpoint,
        Http2UpstreamConnections registry, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!Http2PoolHost.TryParse(endpoint.Host, out var address))
        {
            throw new UpstreamConnectException(RelayOutcome.ConnectFailed, endpoint.Host);
        }

        var target = new IPEndPoint(address, endpoint.Port);
        var bind = inboundSource ? Waylay.Proxy.Routing.Router.InboundSource(address.AddressFamily) : null;
        var (socket, failure) = await connector.ConnectAsync(target, bind, cancellationToken).ConfigureAwait(false);
        if (socket is null)
        {
            cancellationToken.ThrowIfCancellationRequested();
            throw new UpstreamConnectException(failure, target.ToString());
        }

        return new Http2UpstreamConnection(socket, registry, time) { PoolHost = endpoint.Host };
    }
}
