using Microsoft.Extensions.Logging;
using Waylay.Proxy.Http.Headers;
using Waylay.Proxy.LoadBalancing;
using Waylay.Proxy.Pools;
using Waylay.Proxy.Routing;
using Waylay.Proxy.Telemetry.Http;

namespace Waylay.Proxy.Http.Forwarding;

/// <summary>The proxy-wide parts every HTTP connection uses; built once by <see cref="ProxyHost"/>.</summary>
internal sealed class HttpServices(
    UpstreamSelector selector,
    Http1UpstreamPool pool,
    HttpTelemetry telemetry,
    RequestDecorator decorator,
    IstioPeers peers,
    TimeProvider time,
    ILogger logger)
{
    public UpstreamSelector Selector { get; } = selector;

    public Http1UpstreamPool Pool { get; } = pool;

    public HttpTelemetry Telemetry { get; } = telemetry;

    public RequestDecorator Decorator { get; } = decorator;

    public IstioPeers Peers { get; } = peers;

    public TimeProvider Time { get; } = time;

    public ILogger Logger { get; } = logger;

    /// <summary>The draws of routing, faults, balancing and retry back-off: Random.Shared in the proxy, seeded in tests.</summary>
    public Random Random { get; init; } = Random.Shared;

    public AccessLog? AccessLog { get; init; }

    public ZipkinExporter? Zipkin { get; init; }

    /// <summary>The h2c/gRPC path; null where it was not started (tests of the HTTP/1 path alone).</summary>
    public Http2.Http2Gateway? Http2 { get; init; }

    /// <summary>At shutdown: the last access-log lines and spans go out (bounded), then the pools close.</summary>
    public async ValueTask StopAsync(TimeSpan deadline)
    {
        if (Http2 is not null)
        {
            await Http2.DisposeAsync().ConfigureAwait(false);
        }

        if (AccessLog is not null)
        {
            await AccessLog.StopAsync(deadline, Time).ConfigureAwait(false);
        }

        if (Zipkin is not null)
        {
            await Zipkin.DisposeAsync().ConfigureAwait(false);
        }

        await Pool.DisposeAsync().ConfigureAwait(false);
        Selector.Clusters.Dispose();
    }
}
