using Microsoft.Extensions.Logging;

namespace Waylay.Discovery;

/// <summary>The discovery client's log lines (ids 6000-6099).</summary>
internal static partial class DiscoveryClientLog
{
    [LoggerMessage(6000, LogLevel.Information, "discovery: connected to {Address} as {Node}")]
    public static partial void Connected(ILogger logger, string address, string node);

    [LoggerMessage(6001, LogLevel.Warning, "discovery: {Address} unavailable ({Error}); the last good config stays in force, retrying in {Delay}")]
    public static partial void Unavailable(ILogger logger, string address, string error, TimeSpan delay);

    [LoggerMessage(6002, LogLevel.Information, "discovery: applied {Type} version {Version} ({Resources} resources)")]
    public static partial void Applied(ILogger logger, string type, string version, int resources);

    [LoggerMessage(6003, LogLevel.Warning, "discovery: refused {Type} version {Version} (NACK), keeping version {Kept}: {Error}")]
    public static partial void Refused(ILogger logger, string type, string version, string kept, string error);
}
