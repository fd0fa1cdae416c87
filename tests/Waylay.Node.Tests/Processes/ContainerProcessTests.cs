using Microsoft.Extensions.Time.Testing;
using Waylay.Node.Pods;
using Waylay.Node.Processes;
using Waylay.TestKit;

namespace Waylay.Node.Tests.Processes;

public sealed class ContainerProcessTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [NetnsFact]
    public async Task DeadContainer_IsRestartedAfterTheKubeletsBackoff_Doubling()
    {
        var time = new FakeTimeProvider();
        await using var runtime = TestRuntime.Create(time);
        var pod = await runtime.StartPodAsync(TestRuntime.Pod("crash", TestRuntime.Container("app", "echo started; exit 3")), 1, CancellationToken.None);
        var app = pod.Container("app");
        using var timeout = new CancellationTokenSource(Wait);

        var first = await app.WaitForAsync(s => s.State == ContainerState.Waiting && s.LastExitCode == 3, timeout.Token);
        Assert.Equal((0, TimeSpan.FromSeconds(10)), (first.RestartCount, first.Backoff));

        time.Advance(TimeSpan.FromSeconds(10));
        var second = await app.WaitForAsync(s => s.State == ContainerState.Waiting && s.RestartCount == 1, timeout.Token);
        Assert.Equal(TimeSpan.FromSeconds(20), second.Backoff);

        // Not a moment early: a clock short of the back-off restarts nothing.
        time.Advance(TimeSpan.FromSeconds(19));
        Assert.Equal(1, app.Status.RestartCount);
        time.Advance(TimeSpan.FromSeconds(1));
        var third = await app.WaitForAsync(s => s.State == ContainerState.Waiting && s.RestartCount == 2, timeout.Token);
        Assert.Equal(TimeSpan.FromSeconds(40), third.Backoff);

        Assert.Equal(3, File.ReadAllLines(app.LogFile).Count(l => l == "started"));
    }

    [NetnsTheory]
    [InlineData("Never", 0)]
    [InlineData("Never", 3)]
    [InlineData("OnFailure", 0)]
    public async Task Container_ThePolicyDoesNotRestart_StaysTerminatedWithItsExitCode(string restartPolicy, int exitCode)
    {
        var policy = Enum.Parse<RestartPolicy>(restartPolicy);
        await using var runtime = TestRuntime.Create(backoff: new RestartBackoff(TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(10)));
        var spec = TestRuntime.Pod("once", TestRuntime.Container("app", $"exit {exitCode}")) with { RestartPolicy = policy };
        var pod = await runtime.StartPodAsync(spec, 1, CancellationToken.None);
        using var timeout = new CancellationTokenSource(Wait);

        var status = await pod.Container("app").WaitForAsync(s => s.State == ContainerState.Terminated, timeout.Token);

        Assert.Equal((exitCode, 0), (status.LastExitCode, status.RestartCount));
    }

    [NetnsFact]
    public async Task OnFailure_RestartsAFailedContainer()
    {
        await using var runtime = TestRuntime.Create(backoff: new RestartBackoff(TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(10)));
        var spec = TestRuntime.Pod("flaky", TestRuntime.Container("app", "exit 1")) with { RestartPolicy = RestartPolicy.OnFailure };
        var pod = await runtime.StartPodAsync(spec, 1, CancellationToken.None);
        using var timeout = new CancellationTokenSource(Wait);

        var status = await pod.Container("app").WaitForAsync(s => s.RestartCount >= 2, timeout.Token);

        Assert.Equal(1, status.LastExitCode);
    }

    [Fact]
    public void Backoff_DoublesToTheMaximum_AndStartsOverAfterALongRun()
    {
        var backoff = RestartBackoff.Kubernetes;

        Assert.Equal(TimeSpan.FromSeconds(10), backoff.Next(null, TimeSpan.Zero));
        Assert.Equal(TimeSpan.FromSeconds(20), backoff.Next(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1)));
        Assert.Equal(TimeSpan.FromSeconds(300), backoff.Next(TimeSpan.FromSeconds(160), TimeSpan.FromSeconds(1)));
        Assert.Equal(TimeSpan.FromSeconds(300), backoff.Next(TimeSpan.FromSeconds(300), TimeSpan.FromSeconds(1)));
        Assert.Equal(TimeSpan.FromSeconds(10), backoff.Next(TimeSpan.FromSeconds(300), TimeSpan.FromMinutes(10)));
    }
}
