using Microsoft.Extensions.Logging;

namespace Waylay.Proxy.Admin.AppProbes;

/// <summary>The app probes' log lines (ids 3300–3399): about the app, not the proxy, as Istio's "probes" scope.</summary>
internal static partial class AppProbeLog
{
    [LoggerMessage(3300, LogLevel.Information, "app probe {Url} failed: {Reason}")]
    public static partial void Failed(ILogger logger, string url, string reason);

    [LoggerMessage(3301, LogLevel.Information, "serving {Count} app probe(s) on the health port: {Urls}")]
    public static partial void Serving(ILogger logger, int count, string urls);
}
