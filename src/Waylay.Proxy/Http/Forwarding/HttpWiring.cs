using Microsoft.Extensions.Logging;
using Waylay.Proxy.Http.Headers;
using Waylay.Proxy.Http.Upstream;
using Waylay.Proxy.Pools;
using Waylay.Proxy.Routing;
using Waylay.Proxy.Telemetry.Http;

namespace Waylay.Proxy.Http.Forwarding;

/// <summary>Builds the HTTP side from the options: telemetry sinks first (they outlive every request), then pools.</summary>
internal static class HttpWiring
{
    public static HttpServices Create(ProxyOptions options, PodAddresses pod, UpstreamConnector connector, TimeProvider time, ILogger logger)
    {
        var metrics = new IstioMetrics();
        AccessLog? accessLog = null;
        if (options.AccessLogFile is { Length: > 0 } path)
        {
            var output = path == "/dev/stdout"
                ? Console.Out
                : new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete)) { AutoFlush = false };
            accessLog = new AccessLog(output, options.AccessLogFormat, logger: logger);
        }

        var zipkin = options.ZipkinCollector is { } collector ? new ZipkinExporter(new ZipkinOptions { Collector = collector }, time, logger: logger) : null;
        var local = new ZipkinEndpoint(Environment.GetEnvironmentVariable("POD_NAME") ?? "waylay-proxy", pod.Primary(System.Net.Sockets.AddressFamily.InterNetwork));
        var telemetry = new HttpTelemetry(metrics, accessLog, zipkin, local);
        var decorator = new RequestDecorator(new RequestDecoratorOptions { SamplingPercentage = options.TraceSampling }, Random.Shared);
        return new HttpServices(
            new UpstreamSelector(new ClusterRegistry(time)),
            new Http1UpstreamPool(connector, time),
            telemetry,
            decorator,
            new IstioPeers(metrics, pod),
            time,
            logger)
        {
            AccessLog = accessLog,
            Zipkin = zipkin,
        };
    }
}
