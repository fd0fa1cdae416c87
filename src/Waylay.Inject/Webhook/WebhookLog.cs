using Microsoft.Extensions.Logging;

namespace Waylay.Inject.Webhook;

/// <summary>The webhook's log messages; ids 5000-5099.</summary>
internal static partial class WebhookLog
{
    [LoggerMessage(5000, LogLevel.Information, "Sidecar injection webhook listening on https://{Endpoint}")]
    public static partial void Listening(ILogger logger, string endpoint);

    [LoggerMessage(5001, LogLevel.Information, "Serving certificate reloaded: {Subject}, valid until {NotAfter:O}")]
    public static partial void CertificateReloaded(ILogger logger, string subject, DateTime notAfter);

    [LoggerMessage(5002, LogLevel.Warning, "Serving certificate changed but could not be loaded; keeping the previous one")]
    public static partial void CertificateReloadFailed(ILogger logger, Exception exception);

    [LoggerMessage(5003, LogLevel.Information, "Admission {Uid}: allowed={Allowed} patched={Patched}")]
    public static partial void Answered(ILogger logger, string uid, bool allowed, bool patched);

    [LoggerMessage(5004, LogLevel.Warning, "Admission request refused with {Code}: {Message}")]
    public static partial void Refused(ILogger logger, int code, string message);
}
