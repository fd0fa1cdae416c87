using Microsoft.Extensions.Logging;

namespace Waylay.Proxy.Configuration;

/// <summary>The configuration sources' log messages (ids in the proxy's 3000 range, unchanged).</summary>
internal static partial class ConfigLog
{
    [LoggerMessage(3003, LogLevel.Information, "config version {ConfigVersion} applied ({Services} services); new connections use it, open ones keep theirs")]
    public static partial void ConfigApplied(ILogger logger, string configVersion, int services);

    [LoggerMessage(3004, LogLevel.Error, "config {Path} rejected, keeping the last good one: {Count} error(s): {Errors}")]
    public static partial void ConfigRejected(ILogger logger, string path, int count, string errors);

    [LoggerMessage(3005, LogLevel.Warning, "config {Path} unreadable, keeping the last good one: {Reason}")]
    public static partial void ConfigUnreadable(ILogger logger, string path, string reason);
}
