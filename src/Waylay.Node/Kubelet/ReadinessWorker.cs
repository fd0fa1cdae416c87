using k8s.Models;

namespace Waylay.Node.Kubelet;

/// <summary>
/// A container's readiness as the kubelet's prober worker keeps it: not ready until <c>initialDelaySeconds</c> have
/// passed, then one attempt every <c>periodSeconds</c> (default 10); ready after <c>successThreshold</c> successes
/// in a row (default 1), unready after <c>failureThreshold</c> failures in a row (default 3). Waits run on the
/// injected <see cref="TimeProvider"/>.
/// </summary>
internal sealed class ReadinessWorker(V1Probe probe, V1Container container, ProbeRunner runner, TimeProvider time)
{
    private readonly TaskCompletionSource _firstReady = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool Ready { get; private set; }

    public int Attempts { get; private set; }

    /// <summary>Called when <see cref="Ready"/> flips.</summary>
    public Action<bool>? Changed { get; init; }

    /// <summary>Called after each attempt (tests wait on it instead of sleeping).</summary>
    public Action? AttemptDone { get; init; }

    public Task FirstReady => _firstReady.Task;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var period = TimeSpan.FromSeconds(Math.Max(1, probe.PeriodSeconds ?? 10));
        var successThreshold = Math.Max(1, probe.SuccessThreshold ?? 1);
        var failureThreshold = Math.Max(1, probe.FailureThreshold ?? 3);
        int successes = 0, failures = 0;
        await Task.Delay(TimeSpan.FromSeconds(Math.Max(0, probe.InitialDelaySeconds ?? 0)), time, cancellationToken);
        while (!cancellationToken.IsCancellationRequested)
        {
            var ok = await runner.ProbeAsync(probe, container, cancellationToken);
            Attempts++;
            (successes, failures) = ok ? (successes + 1, 0) : (0, failures + 1);
            var ready = ok ? Ready || successes >= successThreshold : Ready && failures < failureThreshold;
            if (ready != Ready)
            {
                Ready = ready;
                Changed?.Invoke(ready);
            }

            if (ready)
            {
                _firstReady.TrySetResult();
            }

            // The timer first, then the signal: whoever waits for the attempt can already move the clock past the period.
            var next = Task.Delay(period, time, cancellationToken);
            AttemptDone?.Invoke();
            await next;
        }
    }
}
