using Waylay.Proxy.Telemetry.Http;
using Xunit;
using Waylay.Proxy.Configuration;

namespace Waylay.Proxy.Telemetry.Tests.Http;

public sealed class AccessLogShutdownTests
{
    [Fact]
    public async Task Stop_GivesUpAtTheDeadline_WhenTheOutputIsStuck()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var stuck = new StuckWriter();
        var log = new AccessLog(stuck, AccessLogFormat.Text);
        log.Write(new AccessLogEntry { StartTime = DateTimeOffset.UnixEpoch, Method = "GET", Path = "/" });
        await stuck.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var stopping = log.StopAsync(TimeSpan.FromSeconds(2), time);
        Assert.False(stopping.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(2));

        Assert.False(await stopping);
        stuck.Release.SetResult();
    }

    private sealed class StuckWriter : TextWriter
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;

        public override async Task WriteAsync(ReadOnlyMemory<char> buffer, CancellationToken cancellationToken = default)
        {
            Entered.TrySetResult();
            await Release.Task;
        }
    }
}
