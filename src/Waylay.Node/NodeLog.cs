using Microsoft.Extensions.Logging;

namespace Waylay.Node;

/// <summary>The node runtime's logs (ids 7000–7099).</summary>
internal static partial class NodeLog
{
    [LoggerMessage(7000, LogLevel.Information, "Node {Node}: namespace {Namespace}, pods in 10.244.{Node}.0/24")]
    public static partial void NodeCreated(ILogger logger, int node, string @namespace);

    [LoggerMessage(7001, LogLevel.Information, "Pod {Pod}: sandbox {Namespace} at {Address} on node {Node}")]
    public static partial void PodCreated(ILogger logger, string pod, string @namespace, string address, int node);

    [LoggerMessage(7002, LogLevel.Information, "Pod {Pod}: container {Container} started as PID {Pid} (restarts: {RestartCount})")]
    public static partial void ContainerStarted(ILogger logger, string pod, string container, int pid, int restartCount);

    [LoggerMessage(7003, LogLevel.Information, "Pod {Pod}: container {Container} exited with {ExitCode}")]
    public static partial void ContainerExited(ILogger logger, string pod, string container, int exitCode);

    [LoggerMessage(7004, LogLevel.Information, "Pod {Pod}: container {Container} restarts in {Backoff} (back-off)")]
    public static partial void ContainerBackoff(ILogger logger, string pod, string container, TimeSpan backoff);

    [LoggerMessage(7005, LogLevel.Warning, "Teardown of run {Run}: {What} failed, going on: {Error}")]
    public static partial void TeardownStepFailed(ILogger logger, string run, string what, string error);

    [LoggerMessage(7006, LogLevel.Information, "Teardown of run {Run}: done")]
    public static partial void TeardownDone(ILogger logger, string run);
}
