using Microsoft.Extensions.Logging;

namespace Waylay.Proxy.Http.Http2;

/// <summary>The h2 gateway's log lines; ids 5500–5599.</summary>
internal static partial class Http2Log
{
    [LoggerMessage(5500, LogLevel.Debug, "h2 gateway started (Kestrel over captured connections, h2c prior knowledge)")]
    public static partial void Started(ILogger logger);

    [LoggerMessage(5501, LogLevel.Debug, "connection {ConnectionId}: {Method} {Path} → {Upstream} failed: {Error} ({Flags})")]
    public static partial void ForwardFailed(ILogger logger, long connectionId, string method, string path, string upstream, string error, string flags);

    [LoggerMessage(5502, LogLevel.Warning, "h2 gateway is stopped: closing captured connection {ConnectionId}")]
    public static partial void Stopped(ILogger logger, long connectionId);
}
