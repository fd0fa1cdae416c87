using System.Globalization;
using System.Net;
using System.Net.Sockets;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Waylay.Node.Kubelet;
using Waylay.Node.Namespaces;
using Waylay.Node.Pods;
using Waylay.Node.Processes;
using Waylay.TestKit;

namespace Waylay.Node.Tests.Kubelet;

/// <summary>
/// The kubelet's prober worker, tick by tick on a fake clock, against a real container in a real pod: tcp probes from
/// the node's namespace to the pod IP, a listener the test opens and closes in the pod's namespace.
/// </summary>
public sealed class ProbeWorkerTests
{
    private const int Port = 7070;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [NetnsFact]
    public async Task Readiness_WaitsInitialDelay_ThenCountsSuccessAndFailureThresholds()
    {
        var time = new FakeTimeProvider();
        await using var runtime = TestRuntime.Create(time);
        var pod = await runtime.StartPodAsync(TestRuntime.Pod("ready", TestRuntime.Container("app", "exec sleep infinity")), 1, CancellationToken.None);
        var prober = Prober(pod, time, new V1Container
        {
            Name = "app",
            ReadinessProbe = new V1Probe { TcpSocket = Tcp(Port), InitialDelaySeconds = 5, PeriodSeconds = 2, SuccessThreshold = 2, FailureThreshold = 2 },
        });
        var readiness = prober.Readiness!;
        using var listener = Listen(pod);

        await readiness.TickAsync(CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(4));
        await readiness.TickAsync(CancellationToken.None);
        Assert.Equal(0, readiness.Attempts); // still within initialDelaySeconds
        time.Advance(TimeSpan.FromSeconds(1));
        await readiness.TickAsync(CancellationToken.None);
        Assert.Equal(1, readiness.Attempts);
        Assert.False(prober.Ready); // one success of successThreshold 2
        await readiness.TickAsync(CancellationToken.None);
        Assert.True(prober.Ready);
        Assert.True(prober.FirstReady.IsCompleted);

        listener.StopListening();
        await readiness.TickAsync(CancellationToken.None);
        Assert.True(prober.Ready); // one failure of failureThreshold 2
        await readiness.TickAsync(CancellationToken.None);
        Assert.False(prober.Ready);
        Assert.Equal(4, readiness.Attempts);
    }

    [NetnsFact]
    public async Task Readiness_HeldByInitialDelay_ProbesWhenTheDelayEnds_NotAPeriodLater()
    {
        var time = new FakeTimeProvider();
        await using var runtime = TestRuntime.Create(time);
        var pod = await runtime.StartPodAsync(TestRuntime.Pod("delay", TestRuntime.Container("app", "exec sleep infinity")), 1, CancellationToken.None);
        var prober = Prober(pod, time, new V1Container
        {
            Name = "app",
            ReadinessProbe = new V1Probe { TcpSocket = Tcp(Port), InitialDelaySeconds = 3, PeriodSeconds = 10 },
        });
        var readiness = prober.Readiness!;
        using var listener = Listen(pod);
        using var run = new CancellationTokenSource(Wait);

        // Its first tick finds the container younger than initialDelaySeconds and sets the next one at the delay's end.
        var loop = readiness.RunAsync(run.Token);
        Assert.Equal(0, readiness.Attempts);
        time.Advance(TimeSpan.FromSeconds(3));

        await prober.FirstReady.WaitAsync(run.Token);
        Assert.Equal(1, readiness.Attempts);
        await run.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => loop);
    }

    [NetnsTheory]
    [InlineData("Always")]
    [InlineData("OnFailure")]
    [InlineData("Never")]
    public async Task LivenessFailingItsThreshold_KillsTheRun_WhichRestartsPerRestartPolicy_AndIsProbedAfresh(string restartPolicy)
    {
        var policy = Enum.Parse<RestartPolicy>(restartPolicy);
        var time = new FakeTimeProvider();
        await using var runtime = TestRuntime.Create(time);
        var spec = TestRuntime.Pod("live", TestRuntime.Container("app", "exec sleep infinity")) with { RestartPolicy = policy };
        var pod = await runtime.StartPodAsync(spec, 1, CancellationToken.None);
        var app = pod.Container("app");
        var prober = Prober(pod, time, new V1Container
        {
            Name = "app",
            LivenessProbe = new V1Probe { TcpSocket = Tcp(Port), PeriodSeconds = 1, FailureThreshold = 2, TerminationGracePeriodSeconds = 5 },
        });
        var liveness = prober.Liveness!;
        using var timeout = new CancellationTokenSource(Wait);
        var first = app.Status.Process!.Value;

        await liveness.TickAsync(timeout.Token); // nothing listens: failure 1 of 2
        Assert.True(first.IsAlive);
        await liveness.TickAsync(timeout.Token); // failure 2 of 2: killed
        Assert.False(first.IsAlive);
        await liveness.TickAsync(timeout.Token); // on hold: the killed run is not probed again
        Assert.Equal(2, liveness.Attempts);

        if (policy == RestartPolicy.Never)
        {
            var dead = await app.WaitForAsync(s => s.State == ContainerState.Terminated, timeout.Token);
            Assert.NotEqual(0, dead.LastExitCode);
            Assert.Equal(0, dead.RestartCount);
            Assert.Null(prober.Observe());
            return;
        }

        // Killed, so a non-zero exit: OnFailure restarts it too, after the back-off (on the fake clock).
        var waiting = await app.WaitForAsync(s => s.State == ContainerState.Waiting, timeout.Token);
        Assert.NotEqual(0, waiting.LastExitCode);
        time.Advance(waiting.Backoff!.Value);
        var again = await app.WaitForAsync(s => s.State == ContainerState.Running && s.RestartCount == 1, timeout.Token);
        Assert.NotEqual(first, again.Process!.Value);

        // A new run is probed from the start: a success now counts, and it takes failureThreshold failures again.
        using var listener = Listen(pod);
        await liveness.TickAsync(timeout.Token);
        Assert.Equal(3, liveness.Attempts);
        listener.StopListening();
        await liveness.TickAsync(timeout.Token);
        Assert.True(again.Process!.Value.IsAlive);
    }

    [NetnsFact]
    public async Task StartupProbe_HoldsLivenessAndReadiness_UntilItPasses_ThenReadinessRunsAtOnce()
    {
        var time = new FakeTimeProvider();
        await using var runtime = TestRuntime.Create(time);
        var pod = await runtime.StartPodAsync(TestRuntime.Pod("slow", TestRuntime.Container("app", "exec sleep infinity")), 1, CancellationToken.None);
        var prober = Prober(pod, time, new V1Container
        {
            Name = "app",
            StartupProbe = new V1Probe { TcpSocket = Tcp(Port), PeriodSeconds = 1, FailureThreshold = 30 },
            // Would kill the container at its first failure: it must not run before the container has started.
            LivenessProbe = new V1Probe { TcpSocket = Tcp(Port + 1), PeriodSeconds = 1, FailureThreshold = 1 },
            ReadinessProbe = new V1Probe { TcpSocket = Tcp(Port), PeriodSeconds = 10 },
        });
        var process = pod.Container("app").Status.Process!.Value;

        for (var i = 0; i < 3; i++)
        {
            await prober.Startup!.TickAsync(CancellationToken.None);
            await prober.Liveness!.TickAsync(CancellationToken.None);
            await prober.Readiness!.TickAsync(CancellationToken.None);
        }

        Assert.Equal((3, 0, 0), (prober.Startup!.Attempts, prober.Liveness!.Attempts, prober.Readiness!.Attempts));
        Assert.False(prober.Ready);
        Assert.False(prober.FirstStarted.IsCompleted);
        Assert.True(process.IsAlive);

        using var listener = Listen(pod);
        using var run = new CancellationTokenSource(Wait);
        var readinessLoop = prober.Readiness.RunAsync(run.Token); // parks on its 10 s tick
        await prober.Startup.TickAsync(CancellationToken.None);
        Assert.True(prober.FirstStarted.IsCompleted);
        await prober.Startup.TickAsync(CancellationToken.None);
        Assert.Equal(4, prober.Startup.Attempts); // started: the startup probe is done

        // The kubelet probes readiness as soon as the container has started, not at the next tick of the clock.
        await prober.FirstReady.WaitAsync(run.Token);
        Assert.True(prober.Ready);
        await run.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => readinessLoop);

        await prober.Liveness.TickAsync(CancellationToken.None); // now it runs: nothing on its port, so the kill
        Assert.Equal(1, prober.Liveness.Attempts);
        Assert.False(process.IsAlive);
    }

    private static ContainerProber Prober(PodSandbox pod, TimeProvider time, V1Container container) =>
        new(pod.Name, container, pod.Container(container.Name), new ProbeRunner(NetworkNamespaces.PathOf(pod.Node.Namespace), pod.Address), null, time, NullLogger.Instance);

    private static V1TCPSocketAction Tcp(int port) => new() { Port = port.ToString(CultureInfo.InvariantCulture) };

    /// <summary>A listener in the pod's namespace, on the pod IP: the app's port as the probe sees it.</summary>
    private static Socket Listen(PodSandbox pod)
    {
        var socket = NodeSocket.Create(pod.NamespacePath, AddressFamily.InterNetwork);
        socket.Bind(new IPEndPoint(pod.Address, Port));
        socket.Listen();
        return socket;
    }
}
