using k8s.Models;

namespace Waylay.Node.Kubelet;

/// <summary>
/// One probe of one container, as the kubelet's prober worker runs it (<c>pkg/kubelet/prober/worker.go</c>): a tick
/// every <c>periodSeconds</c> (default 10) probes the container's current run, unless it is younger than
/// <c>initialDelaySeconds</c> (then the next tick comes when it is not), not started yet (a liveness or readiness probe behind a startup probe), already started
/// (the startup probe), or on hold after this probe had it killed. A result counts once it repeats
/// <c>successThreshold</c> times (default 1; always 1 for liveness and startup) or <c>failureThreshold</c> times
/// (default 3); a new run starts over from the probe's initial result (readiness: failing, liveness: passing, startup:
/// not yet). Time is the injected <see cref="TimeProvider"/>; each attempt is bounded by <c>timeoutSeconds</c>.
/// </summary>
internal sealed class ProbeWorker(ProbeKind kind, V1Probe probe, V1Container container, ProbeRunner runner, ContainerProber owner, TimeProvider time)
{
    private TaskCompletionSource _trigger = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ContainerRun? _run;
    private bool? _lastResult;
    private int _resultRun;
    private bool _onHold;
    private TimeSpan? _initialDelayLeft;

    public ProbeKind Kind => kind;

    public V1Probe Probe => probe;

    /// <summary>The result that counts (after the thresholds) for the current run.</summary>
    public bool Passing { get; private set; }

    /// <summary>The result that counts for <paramref name="run"/> (a run this worker has not probed yet: the initial one).</summary>
    public bool IsPassing(ContainerRun run) => ReferenceEquals(Volatile.Read(ref _run), run) ? Passing : kind == ProbeKind.Liveness;

    /// <summary>Attempts made (probes actually sent), over every run.</summary>
    public int Attempts { get; private set; }

    /// <summary>Called after each attempt (tests wait on it instead of sleeping).</summary>
    public Action? AttemptDone { get; init; }

    public int FailureThreshold => Math.Max(1, probe.FailureThreshold ?? 3);

    private int SuccessThreshold => kind == ProbeKind.Readiness ? Math.Max(1, probe.SuccessThreshold ?? 1) : 1;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var period = TimeSpan.FromSeconds(Math.Max(1, probe.PeriodSeconds ?? 10));
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await TickAsync(cancellationToken);
            // The timer first: whoever acts on this tick (a test, the pod worker) may already move the clock past it.
            var next = Task.Delay(NextTick(period), time, cancellationToken);
            var trigger = Volatile.Read(ref _trigger).Task;
            await Task.WhenAny(next, trigger);
        }
    }

    /// <summary>
    /// A period after this tick; but a tick held back only by <c>initialDelaySeconds</c> comes again when that delay
    /// ends, not up to a period later: probes begin initialDelaySeconds after the container started, as Kubernetes
    /// documents them (its worker's ticker, counted from when the pod was added, lands somewhere within a period after
    /// it; here the sidecar's readiness, 1 s then every 2 s, no longer waits 2 s for a proxy ready after 0.3 s).
    /// </summary>
    private TimeSpan NextTick(TimeSpan period) =>
        _initialDelayLeft is { } left && left < period ? left : period;

    /// <summary>Probes now instead of at the next tick (the kubelet's manualTriggerCh: readiness right after startup).</summary>
    public void Trigger() => Interlocked.Exchange(ref _trigger, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>One tick of the worker: probe the current run if the kubelet would, and act on what counts.</summary>
    public async Task TickAsync(CancellationToken cancellationToken)
    {
        var run = owner.Observe();
        if (run is null)
        {
            Passing = false; // not running: not ready; the next run starts over
            (_run, _initialDelayLeft) = (null, null);
            return;
        }

        if (!ReferenceEquals(run, _run))
        {
            (_run, Passing, _lastResult, _resultRun, _onHold) = (run, kind == ProbeKind.Liveness, null, 0, false);
        }

        var started = owner.IsStarted(run);
        var delayLeft = run.StartedAt + TimeSpan.FromSeconds(Math.Max(0, probe.InitialDelaySeconds ?? 0)) - time.GetUtcNow();
        _initialDelayLeft = delayLeft > TimeSpan.Zero && !_onHold && (kind == ProbeKind.Startup ? !started : started) ? delayLeft : null;
        if (_onHold || delayLeft > TimeSpan.Zero || (kind == ProbeKind.Startup ? started : !started))
        {
            return;
        }

        var ok = await runner.ProbeAsync(probe, container, cancellationToken);
        Attempts++;
        (_lastResult, _resultRun) = (ok, ok == _lastResult ? _resultRun + 1 : 1);
        try
        {
            if (_resultRun < (ok ? SuccessThreshold : FailureThreshold))
            {
                return;
            }

            var changed = Passing != ok;
            Passing = ok;
            if (!ok && kind is ProbeKind.Liveness or ProbeKind.Startup)
            {
                // The kubelet kills the container and holds this probe until the container runs again.
                (_onHold, _resultRun) = (true, 0);
                await owner.KillAsync(this, run, cancellationToken);
            }
            else if (changed || (ok && kind == ProbeKind.Startup))
            {
                owner.Reported(this, run);
            }
        }
        finally
        {
            AttemptDone?.Invoke();
        }
    }
}
