using Microsoft.Extensions.Logging;

namespace Waylay.Samples.Bookinfo;

/// <summary>The sample's own log lines (ids 1–9); Kestrel's own are kept at warning level.</summary>
internal static partial class BookinfoLog
{
    [LoggerMessage(1, LogLevel.Warning, "Unable to contact {Url}: got status of {Status}")]
    public static partial void PeerAnswered(ILogger logger, Uri url, int status);

    [LoggerMessage(2, LogLevel.Warning, "Unable to contact {Url}: no answer within {Timeout}")]
    public static partial void PeerTimedOut(ILogger logger, Uri url, TimeSpan timeout);

    [LoggerMessage(3, LogLevel.Warning, "Unable to contact {Url}: {Reason}")]
    public static partial void PeerFailed(ILogger logger, Uri url, string reason);
}
