using System.Net;
using System.Net.Sockets;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;
using Waylay.Node.Kubelet;
using Waylay.TestKit;

namespace Waylay.Node.Tests.Kubelet;

public sealed class ReadinessWorkerTests
{
    [NetnsFact]
    public async Task TcpProbe_FollowsInitialDelay_Period_AndFailureThreshold_OnTheTimeProvider()
    {
        await using var ns = await TestNamespace.CreateAsync();
        var listener = ns.Socket(AddressFamily.InterNetwork);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        var port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        var probe = new V1Probe
        {
            TcpSocket = new V1TCPSocketAction { Port = port.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            InitialDelaySeconds = 5,
            PeriodSeconds = 2,
            FailureThreshold = 2,
        };
        var time = new FakeTimeProvider();
        var attempts = new SemaphoreSlim(0);
        var worker = new ReadinessWorker(probe, new V1Container { Name = "app" }, new ProbeRunner(ns.Path, IPAddress.Loopback), time) { AttemptDone = () => attempts.Release() };
        using var stop = new CancellationTokenSource();
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var run = worker.RunAsync(stop.Token);
        time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(0, worker.Attempts); // still in initialDelaySeconds
        Assert.False(worker.Ready);
        time.Advance(TimeSpan.FromSeconds(1));
        await attempts.WaitAsync(bound.Token);
        Assert.True(worker.Ready);

        listener.Dispose();
        time.Advance(TimeSpan.FromSeconds(2));
        await attempts.WaitAsync(bound.Token);
        Assert.True(worker.Ready); // one failure of failureThreshold 2
        time.Advance(TimeSpan.FromSeconds(2));
        await attempts.WaitAsync(bound.Token);
        Assert.False(worker.Ready);
        Assert.Equal(3, worker.Attempts);

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
    }
}
