using Waylay.TestKit;

namespace Waylay.Proxy.Mesh.Tests.Lab;

internal static class AccessLogs
{
    /// <summary>Polls the log until exactly one line for <paramref name="path"/> is there (bounded), and returns it.</summary>
    public static async Task<AccessLogLine> LineForAsync(TestFile log, string path)
    {
        await Wait.UntilAsync(() => AccessLogLine.ReadAll(log).Any(l => l.Path == path), $"an access-log line for {path}",
            lastSeen: () => string.Join(Environment.NewLine, log.CompleteLines()));
        return Xunit.Assert.Single(AccessLogLine.ReadAll(log), l => l.Path == path);
    }
}
