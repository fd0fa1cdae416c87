using Microsoft.Extensions.Logging;

namespace Waylay.Proxy.Listeners;

/// <summary>The gateway's own messages (ids 3400–3419).</summary>
internal static partial class GatewayLog
{
    [LoggerMessage(3400, LogLevel.Information, "gateway listening on port {Port}: {Servers}")]
    public static partial void PortOpened(ILogger logger, ushort port, string servers);

    [LoggerMessage(3401, LogLevel.Information, "gateway port {Port} closed: no Gateway selecting this pod opens it any more")]
    public static partial void PortClosed(ILogger logger, ushort port);

    [LoggerMessage(3402, LogLevel.Warning, "gateway port {Port} not opened, tried again on the next config check: {Reason}")]
    public static partial void PortFailed(ILogger logger, ushort port, string reason);

    [LoggerMessage(3403, LogLevel.Information, "gateway mode: this pod's labels {Labels} (from {Source}) select the Gateways it serves")]
    public static partial void Labels(ILogger logger, string labels, string source);
}
