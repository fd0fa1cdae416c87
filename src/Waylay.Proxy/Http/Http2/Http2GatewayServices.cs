using Microsoft.Extensions.Logging;
using Waylay.Proxy.Http.Headers;
using Waylay.Proxy.LoadBalancing;
using Waylay.Proxy.Routing;
using Waylay.Proxy.Pools;
using Waylay.Proxy.Telemetry.Http;
using Waylay.Proxy.Http.Policy;

namespace Waylay.Proxy.Http.Http2;

/// <summary>What the h2 gateway takes from the host: upstream connects, endpoint choice, telemetry, logging, time.</summary>
/// <param name="IdleTimeout">How long an h2 connection (down or up) or a gRPC stream may stay silent (--idle-timeout).</param>
internal sealed record Http2GatewayServices(
    UpstreamConnector Connector,
    UpstreamSelector Selector,
    ILoggerFactory Loggers,
    TimeProvider Time,
    TimeSpan IdleTimeout)
{
    /// <summary>Null: requests are not recorded (tests of routing alone).</summary>
    public HttpTelemetry? Telemetry { get; init; }

    /// <summary>
    /// The Istio labels (request protocol "http") of a request of the scope's connection, routed with the snapshot and
    /// dialled service given (null before routing), that went to the endpoint (null when none was chosen), interned;
    /// the gateway derives the "grpc" set itself. Null uses <see cref="Http2Labels.Default"/> (peers unknown).
    /// </summary>
    public Func<HttpScope, RouteTable?, ServiceRoute?, EndpointStats?, IstioLabels>? Labels { get; init; }

    /// <summary>The proxy's own request fields and trace context: the HTTP/1 path's decorator, so both paths agree.</summary>
    public RequestDecorator Decorator { get; init; } = new(new RequestDecoratorOptions(), Random.Shared);

    /// <summary>The load-balancing and fault randomness; tests pass a seeded instance.</summary>
    public Random Random { get; init; } = Random.Shared;
}
