using System.Collections.Concurrent;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Forwarder;
using Waylay.Proxy.Http.Policy;
using Waylay.Proxy.Pools;

namespace Waylay.Proxy.Http.Http2;

/// <summary>
/// The h2c/gRPC path. Kestrel speaks HTTP/2 to the downstream (flow control, HPACK, stream resets, trailers: the parts
/// not worth writing twice) and YARP's forwarder relays each request over pooled h2c upstream connections:
/// <code>
///   TcpProxy (sniffed the h2 preface, or the port is declared grpc/http2)
///     ─► ServeAsync(socket, prefix, scope) ─► CapturedConnectionListener ─► Kestrel (HTTP/2 only, prior knowledge)
///     ─► Http2Application ─► Http2Forwarder (route, endpoint, YARP IHttpForwarder) ─► SocketsHttpHandler h2c pools
/// </code>
/// Kestrel has no listening socket: its one endpoint accepts the captured connections the core hands over, so the
/// capture, original-destination and routing stay the core's. Started once per proxy; everything is built by hand
/// (KestrelServer directly, no generic host), which keeps the NativeAOT build free of trim warnings.
/// </summary>
internal sealed class Http2Gateway : IAsyncDisposable
{
    private readonly KestrelServer _server;
    private readonly CapturedConnectionListener _listener;
    private readonly ServiceProvider _provider;
    private readonly HttpMessageInvoker _client;
    private readonly HttpMessageInvoker _inboundSourceClient;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<CapturedConnection, byte> _live = new();

    private Http2Gateway(KestrelServer server, CapturedConnectionListener listener, ServiceProvider provider,
        HttpMessageInvoker client, HttpMessageInvoker inboundSourceClient, ILogger logger, TimeProvider time)
    {
        _time = time;
        _server = server;
        _listener = listener;
        _provider = provider;
        _client = client;
        _inboundSourceClient = inboundSourceClient;
        _logger = logger;
    }

    public static async Task<Http2Gateway> StartAsync(Http2GatewayServices services, CancellationToken cancellationToken)
    {
        var provider = new ServiceCollection()
            .AddSingleton<ILoggerFactory>(new QuietForwarderLoggers(services.Loggers))
            .AddSingleton(typeof(ILogger<>), typeof(Logger<>))
            .AddSingleton(services.Time)
            .AddHttpForwarder()
            .BuildServiceProvider();
        var options = new KestrelServerOptions { ApplicationServices = provider, AddServerHeader = false };
        Configure(options, services.IdleTimeout);

        var listener = new CapturedConnectionListener();
        var server = new KestrelServer(Options.Create(options), listener, services.Loggers);
        var upstreams = new Http2UpstreamConnections();
        var client = UpstreamHttpClient.Create(services.Connector, inboundSource: false, services.IdleTimeout, upstreams, services.Time);
        var inboundSourceClient = UpstreamHttpClient.Create(services.Connector, inboundSource: true, services.IdleTimeout, upstreams, services.Time);
        var forwarder = new Http2Forwarder(provider.GetRequiredService<IHttpForwarder>(), services, client, inboundSourceClient, upstreams);
        var logger = services.Loggers.CreateLogger("Waylay.Proxy.Http2");
        try
        {
            await server.StartAsync(new Http2Application(forwarder), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            server.Dispose();
            client.Dispose();
            inboundSourceClient.Dispose();
            await provider.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        Http2Log.Started(logger);
        return new Http2Gateway(server, listener, provider, client, inboundSourceClient, logger, services.Time) { Upstreams = upstreams };
    }

    /// <summary>
    /// Serves one captured connection until it ends. <paramref name="prefix"/> holds the bytes the sniffer already
    /// read from the socket (the preface, maybe more): Kestrel reads them first. The socket stays the caller's to
    /// close after this returns; cancelling <paramref name="cancellationToken"/> (idle sweep, forced drain) aborts it.
    /// </summary>
    public async Task ServeAsync(Socket downstream, ReadOnlyMemory<byte> prefix, HttpScope scope, CancellationToken cancellationToken)
    {
        var connection = new CapturedConnection(downstream, prefix, scope, _time);
        if (!_listener.TryAdd(connection))
        {
            Http2Log.Stopped(_logger, scope.Connection.Id);
            await connection.DisposeAsync().ConfigureAwait(false);
            return;
        }

        _live[connection] = 0;
        try
        {
            using var abort = cancellationToken.Register(static c => ((CapturedConnection)c!).Abort(), connection);
            await connection.Done.ConfigureAwait(false);
        }
        finally
        {
            _live.TryRemove(connection, out _);
        }
    }

    /// <summary>The pooled h2c upstream connections, each with the requests it has carried (<c>/connections</c>).</summary>
    public required Http2UpstreamConnections Upstreams { get; init; }

    /// <summary>
    /// The proxy is draining: every h2 connection gets a GOAWAY (Kestrel's graceful close), so clients open their next
    /// connection elsewhere while calls in flight finish; each connection then ends when its last stream does.
    /// Envoy does the same on drain. What is still open at the end of the drain is closed by the core's cancellation.
    /// </summary>
    public void BeginDrain()
    {
        foreach (var connection in _live.Keys)
        {
            connection.Features.Get<IConnectionLifetimeNotificationFeature>()?.RequestClose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        using (var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            await _server.StopAsync(stop.Token).ConfigureAwait(false);
        }

        _server.Dispose();
        await _listener.DisposeAsync().ConfigureAwait(false);
        _client.Dispose();
        _inboundSourceClient.Dispose();
        await _provider.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Kestrel's defaults are an edge server's; a sidecar carries the app's long-lived gRPC streams, so the limits that
    /// would cut them are off (body size, minimum data rates) and the idle limits are the proxy's own.
    /// </summary>
    private static void Configure(KestrelServerOptions options, TimeSpan idleTimeout)
    {
        options.Listen(CapturedEndPoint.Instance, listen => listen.Protocols = HttpProtocols.Http2);
        var limits = options.Limits;
        limits.MaxRequestBodySize = null;
        limits.MinRequestBodyDataRate = null;
        limits.MinResponseDataRate = null;
        limits.KeepAliveTimeout = idleTimeout;
        limits.MaxConcurrentConnections = null;
        limits.MaxRequestHeadersTotalSize = 60 * 1024; // Envoy's max_request_headers_kb default
        limits.Http2.MaxStreamsPerConnection = 1024;
        limits.Http2.MaxRequestHeaderFieldSize = 60 * 1024;
        limits.Http2.KeepAlivePingDelay = TimeSpan.MaxValue;
    }
}
