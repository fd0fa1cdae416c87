using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;

namespace Waylay.TestKit;

/// <summary>
/// An app's HTTP client inside a test namespace: <see cref="SocketsHttpHandler"/> whose every connection is a socket
/// made in the namespace as an app uid (1000 unless told), so the capture rules redirect it to the sidecar exactly as
/// they would a real app's. Host names resolve through a table the test gives (the pod's DNS: <c>reviews</c> →
/// the ClusterIP), so requests carry the Host a real app would send.
/// </summary>
public static class TestHttpClient
{
    /// <param name="hosts">Names the client resolves (e.g. <c>reviews</c> → 10.96.0.10); IP literals need no entry.</param>
    /// <param name="maxConnections">Connections per host:port; 1 puts every request on one keep-alive connection.</param>
    public static SocketsHttpHandler Handler(TestNamespace ns, IReadOnlyDictionary<string, IPAddress>? hosts = null, uint uid = 1000, int maxConnections = int.MaxValue) => new()
    {
        UseProxy = false,
        UseCookies = false,
        AllowAutoRedirect = false,
        MaxConnectionsPerServer = maxConnections,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        ConnectCallback = async (context, cancellationToken) =>
        {
            var name = context.DnsEndPoint.Host;
            var address = hosts is not null && hosts.TryGetValue(name, out var known) ? known
                : IPAddress.TryParse(name, out var literal) ? literal
                : throw new HttpRequestException($"the test's host table has no '{name}'");
            var socket = ns.Socket(address.AddressFamily, uid, uid);
            try
            {
                socket.NoDelay = true;
                await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };

    /// <summary>An <see cref="HttpClient"/> over <see cref="Handler"/>, with a 30 s bound per request so a hang fails the test.</summary>
    public static HttpClient Create(TestNamespace ns, IReadOnlyDictionary<string, IPAddress>? hosts = null, uint uid = 1000, int maxConnections = int.MaxValue) =>
        new(Handler(ns, hosts, uid, maxConnections)) { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>A WebSocket opened from inside the namespace (HTTP/1.1 Upgrade through the same handler).</summary>
    public static async Task<ClientWebSocket> ConnectWebSocketAsync(TestNamespace ns, Uri uri, IReadOnlyDictionary<string, IPAddress>? hosts = null, uint uid = 1000, CancellationToken cancellationToken = default)
    {
        var socket = new ClientWebSocket();
        try
        {
            socket.Options.HttpVersion = HttpVersion.Version11;
            socket.Options.HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact;
            // Not disposed here: the upgraded connection lives on after ConnectAsync, and disposing the handler that
            // made it would not be a test of the proxy. It holds no pooled connection once the upgrade took it.
            var invoker = new HttpMessageInvoker(Handler(ns, hosts, uid), disposeHandler: false);
            await socket.ConnectAsync(uri, invoker, cancellationToken);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
