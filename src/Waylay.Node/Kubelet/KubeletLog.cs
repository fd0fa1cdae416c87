using Microsoft.Extensions.Logging;

namespace Waylay.Node.Kubelet;

/// <summary>The kubelet's logs (ids 7100–7199; the node runtime has 7000–7099).</summary>
internal static partial class KubeletLog
{
    [LoggerMessage(7100, LogLevel.Information, "Pod {Pod}: init container {Container} completed")]
    public static partial void InitCompleted(ILogger logger, string pod, string container);

    [LoggerMessage(7101, LogLevel.Information, "Pod {Pod}: native sidecar {Container} started")]
    public static partial void SidecarStarted(ILogger logger, string pod, string container);

    [LoggerMessage(7102, LogLevel.Warning, "Pod {Pod}: init container {Container} exited with {ExitCode}; the pod does not start")]
    public static partial void InitFailed(ILogger logger, string pod, string container, int? exitCode);

    [LoggerMessage(7103, LogLevel.Information, "Pod {Pod}: container {Container} is {Readiness}")]
    public static partial void ReadinessChanged(ILogger logger, string pod, string container, string readiness);

    [LoggerMessage(7104, LogLevel.Information, "Pod {Pod}: container {Container} started (its startup probe passed)")]
    public static partial void ContainerStarted(ILogger logger, string pod, string container);

    [LoggerMessage(7105, LogLevel.Warning, "Pod {Pod}: container {Container} failed its {Probe} probe {Failures} times in a row; killing it (the pod's restartPolicy decides whether it restarts)")]
    public static partial void ProbeKilling(ILogger logger, string pod, string container, string probe, int failures);
}
