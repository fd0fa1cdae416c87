using Microsoft.Extensions.Logging;

namespace Waylay.Node.Underlay;

/// <summary>The underlay's logs (ids 7080–7089, within the node runtime's range).</summary>
internal static partial class UnderlayLog
{
    [LoggerMessage(7080, LogLevel.Information, "Node {Node}: on the underlay at {Address} ({Namespace}), host-gw routes to every other node")]
    public static partial void NodeJoined(ILogger logger, int node, string address, string @namespace);
}
