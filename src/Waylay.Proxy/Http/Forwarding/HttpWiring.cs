using Microsoft.Extensions.Logging;
using Waylay.Proxy.Configuration;
using Waylay.Proxy.Http.Headers;
using Waylay.Proxy.Http.Http2;
using Waylay.Proxy.LoadBalancing;
using Waylay.Proxy.Pools;
using Waylay.Proxy.Routing;
using Waylay.Proxy.Telemetry.Http;
using Waylay.Proxy.Connections;
using Waylay.Proxy.Lifecycle;

namespace Waylay.Proxy.Http.Forwarding;

/// <summary>Builds the HTTP side from the options: telemetry sinks first (they outlive every request), then pools.</summary>
internal static class HttpWiring
{
    public static HttpServices Create(ProxyOptions options, PodAddresses pod, UpstreamConnector connector, Random random, TimeProvider time, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger("Waylay.Proxy");
        var metrics = new IstioMetrics();
        AccessLog? accessLog = null;
        if (options.AccessLogFile is { Length: > 0 } path)
        {
            TextWriter output;
            try
            {
                output = path == "/dev/stdout"
                    ? Console.Out
                    : new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete)) { AutoFlush = false };
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ProxyStartException($"--access-log-file: cannot open '{path}' for appending ({e.Message}); give a file this user can write, or /dev/stdout");
            }

            accessLog = new AccessLog(output, options.AccessLogFormat, logger: logger);
        }

        var zipkin = options.ZipkinCollector is { } collector ? new ZipkinExporter(new ZipkinOptions { Collector = collector }, time, logger: logger) : null;
        var local = new ZipkinEndpoint(Environment.GetEnvironmentVariable("POD_NAME") ?? "waylay-proxy", pod.Primary(System.Net.Sockets.AddressFamily.InterNetwork));
        var telemetry = new HttpTelemetry(metrics, accessLog, zipkin, local);
        var decorator = new RequestDecorator(new RequestDecoratorOptions { SamplingPercentage = options.TraceSampling }, random);
        var selector = new UpstreamSelector(new ClusterRegistry(time));
        var peers = new IstioPeers(metrics, pod);

        // h2c and gRPC: Kestrel + YARP (docs/designs/http.md §6). StartAsync binds nothing, so it completes at once.
        var http2 = Http2Gateway.StartAsync(new Http2GatewayServices(connector, selector, loggers, time, options.IdleTimeout)
        {
            Telemetry = telemetry,
            Decorator = decorator,
            Random = random,
            Labels = (scope, table, service, endpoint) => scope.Direction == TrafficDirection.Inbound
                ? peers.Inbound(table ?? scope.Table, scope.Connection.Client.EndPoint.Address, scope.Port)
                : service is not null ? peers.Outbound(table ?? scope.Table, service, endpoint) : Http2Labels.Default(scope),
        }, CancellationToken.None).GetAwaiter().GetResult();
        return new HttpServices(
            selector,
            new Http1UpstreamPool(connector, time),
            telemetry,
            decorator,
            peers,
            time,
            logger)
        {
            AccessLog = accessLog,
            Zipkin = zipkin,
            Http2 = http2,
            Random = random,
        };
    }
}
