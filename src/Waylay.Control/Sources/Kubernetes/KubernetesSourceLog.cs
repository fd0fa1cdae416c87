using Microsoft.Extensions.Logging;

namespace Waylay.Control.Sources.Kubernetes;

/// <summary>The Kubernetes source's logs (ids 8000–8049).</summary>
internal static partial class KubernetesSourceLog
{
    [LoggerMessage(8000, LogLevel.Information, "{Kind} ({Scope}): listed {Count} at resourceVersion {ResourceVersion}")]
    public static partial void Listed(ILogger logger, string kind, string scope, int count, string resourceVersion);

    [LoggerMessage(8001, LogLevel.Warning, "{Kind} ({Scope}): {Error}")]
    public static partial void Failed(ILogger logger, string kind, string scope, string error);

    [LoggerMessage(8002, LogLevel.Information, "{Kind} ({Scope}): {Why}; relisting")]
    public static partial void Gone(ILogger logger, string kind, string scope, string why);

    [LoggerMessage(8003, LogLevel.Debug, "Snapshot {Revision}: {Services} services, {Workloads} workloads, {Ignored} ignored resources")]
    public static partial void Snapshot(ILogger logger, long revision, int services, int workloads, int ignored);
}
