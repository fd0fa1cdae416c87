using Microsoft.Extensions.Logging;

namespace Waylay.Proxy.Listeners;

/// <summary>The listeners' log messages (ids in the proxy's 3000 range, unchanged).</summary>
internal static partial class ListenerLog
{
    [LoggerMessage(3006, LogLevel.Warning, "accept on {Listener} failed: {Error}")]
    public static partial void AcceptFailed(ILogger logger, string listener, string error);
}
