using Microsoft.Extensions.Logging;

namespace Waylay.Proxy.Telemetry.Http;

/// <summary>The HTTP telemetry's log events; ids 3200–3299 belong to it and are never reused.</summary>
internal static partial class HttpTelemetryLog
{
    [LoggerMessage(3200, LogLevel.Warning, "access log queue full ({Capacity} lines): dropping lines until the output catches up; /stats counts them")]
    public static partial void AccessLogDropping(ILogger logger, int capacity);

    [LoggerMessage(3201, LogLevel.Warning, "access log output failed: {Error}")]
    public static partial void AccessLogFailed(ILogger logger, string error);

    [LoggerMessage(3202, LogLevel.Warning, "zipkin span queue full ({Capacity} spans): dropping spans until the collector catches up")]
    public static partial void ZipkinDropping(ILogger logger, int capacity);

    [LoggerMessage(3203, LogLevel.Debug, "zipkin POST {Url} with {Spans} spans failed ({Reason}); retrying once")]
    public static partial void ZipkinRetry(ILogger logger, Uri url, int spans, string reason);

    [LoggerMessage(3204, LogLevel.Warning, "zipkin POST {Url} failed twice ({Reason}): {Spans} spans dropped")]
    public static partial void ZipkinBatchDropped(ILogger logger, Uri url, int spans, string reason);

    [LoggerMessage(3205, LogLevel.Warning, "zipkin exporter stopped with {Spans} spans unsent after the {Deadline} shutdown deadline")]
    public static partial void ZipkinShutdownIncomplete(ILogger logger, int spans, TimeSpan deadline);
}
