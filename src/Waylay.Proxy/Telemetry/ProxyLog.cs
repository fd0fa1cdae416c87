using Microsoft.Extensions.Logging;

namespace Waylay.Proxy.Telemetry;

/// <summary>The proxy's log events; ids 3000–3099 belong to the proxy (L4) and are never reused.</summary>
internal static partial class ProxyLog
{
    [LoggerMessage(3000, LogLevel.Information, "waylay proxy ready: listening on {Listeners}; admin {Admin}; health {Health}; config version {ConfigVersion} ({Services} services); uid {Uid}")]
    public static partial void Started(ILogger logger, string listeners, string admin, string health, string configVersion, int services, uint uid);

    [LoggerMessage(3001, LogLevel.Warning, "running as uid {Uid}, not {ProxyUid}: the capture rules exempt only uid {ProxyUid}, so this proxy's own connections will be captured again and refused by the loop guard")]
    public static partial void WrongUid(ILogger logger, uint uid, uint proxyUid);

    [LoggerMessage(3002, LogLevel.Information, "flag {Flag} is accepted for the seed's container args but has no effect yet ({Value})")]
    public static partial void FlagWithoutEffect(ILogger logger, string flag, string value);

    [LoggerMessage(3007, LogLevel.Warning, "connection {ConnectionId} from {Client} refused: {Reason} (original destination {OriginalDestination})")]
    public static partial void Refused(ILogger logger, long connectionId, string client, string reason, string originalDestination);

    [LoggerMessage(3008, LogLevel.Debug, "connection {ConnectionId} {Direction} {Client} -> {OriginalDestination} via {Service} to {Upstream}: {Outcome}, {BytesSent} bytes sent, {BytesReceived} received")]
    public static partial void Closed(ILogger logger, long connectionId, string direction, string client, string originalDestination, string service, string upstream, string outcome, long bytesSent, long bytesReceived);

    [LoggerMessage(3009, LogLevel.Warning, "connection {ConnectionId} to {Service} endpoint {Upstream}: {Outcome}")]
    public static partial void ConnectFailed(ILogger logger, long connectionId, string service, string upstream, string outcome);

    [LoggerMessage(3010, LogLevel.Information, "draining ({Reason}): listeners closed, {Active} connections may finish within {DrainDuration}")]
    public static partial void Draining(ILogger logger, string reason, int active, TimeSpan drainDuration);

    [LoggerMessage(3011, LogLevel.Information, "drained: {Remaining} connections closed by the proxy; exiting")]
    public static partial void Drained(ILogger logger, int remaining);

    [LoggerMessage(3012, LogLevel.Debug, "soft open-file limit {Limit}: at most about {Connections} relayed connections at once")]
    public static partial void FileLimit(ILogger logger, ulong limit, ulong connections);

    [LoggerMessage(3013, LogLevel.Error, "unexpected failure in connection {ConnectionId}")]
    public static partial void Unexpected(ILogger logger, Exception exception, long connectionId);

    [LoggerMessage(3014, LogLevel.Warning, "admin request failed: {Error}")]
    public static partial void AdminFailed(ILogger logger, string error);
}
