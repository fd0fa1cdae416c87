using k8s.Models;
using Microsoft.Extensions.Logging;
using Waylay.Node.Processes;

namespace Waylay.Node.Kubelet;

/// <summary>
/// A container's probes as the kubelet's prober manager keeps them (<c>pkg/kubelet/prober</c>): a
/// <see cref="ProbeWorker"/> per probe, all judging the container's current run.
/// <code>
///  run starts ─► startupProbe until it passes once (none: started at once) ─► livenessProbe and readinessProbe
///                  │ fails failureThreshold times                 liveness fails failureThreshold times │
///                  └─► kill (SIGTERM, terminationGracePeriodSeconds, SIGKILL) ◄────────────────────────┘
///                       then the pod's restartPolicy: Always and OnFailure restart it (a new run), Never does not
/// </code>
/// Ready: running, started, and the readiness probe passing (none: ready once started).
/// </summary>
internal sealed class ContainerProber
{
    /// <summary>The pod's default terminationGracePeriodSeconds.</summary>
    public const long DefaultGraceSeconds = 30;

    private readonly string _pod;
    private readonly V1Container _container;
    private readonly ContainerProcess _process;
    private readonly long? _podGraceSeconds;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly TaskCompletionSource _firstStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _firstReady = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ContainerRun? _current;
    private ContainerRun? _started;
    private bool _ready;

    public ContainerProber(string pod, V1Container container, ContainerProcess process, ProbeRunner runner, long? podGraceSeconds, TimeProvider time, ILogger logger)
    {
        (_pod, _container, _process, _podGraceSeconds, _time, _logger) = (pod, container, process, podGraceSeconds, time, logger);
        var spec = container;
        Startup = spec.StartupProbe is { } startup ? new ProbeWorker(ProbeKind.Startup, startup, spec, runner, this, time) : null;
        Liveness = spec.LivenessProbe is { } liveness ? new ProbeWorker(ProbeKind.Liveness, liveness, spec, runner, this, time) : null;
        Readiness = spec.ReadinessProbe is { } readiness ? new ProbeWorker(ProbeKind.Readiness, readiness, spec, runner, this, time) : null;
    }

    public ProbeWorker? Startup { get; }

    public ProbeWorker? Liveness { get; }

    public ProbeWorker? Readiness { get; }

    public ContainerProcess Process => _process;

    /// <summary>Running, started and ready (the pod's Ready condition takes every container's).</summary>
    public bool Ready
    {
        get
        {
            var run = Observe();
            return run is not null && IsStarted(run) && (Readiness?.IsPassing(run) ?? true);
        }
    }

    /// <summary>Completes when the startup probe first passes (at once without one).</summary>
    public Task FirstStarted => _firstStarted.Task;

    /// <summary>Completes when the container is first ready.</summary>
    public Task FirstReady => _firstReady.Task;

    /// <summary>Runs the probes until <paramref name="cancellationToken"/> (the pod stops).</summary>
    public Task RunAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(new[] { Startup, Liveness, Readiness }.OfType<ProbeWorker>().Select(w => w.RunAsync(cancellationToken)).Append(WatchAsync(cancellationToken)));

    /// <summary>The run the probes judge now, or null while the container is not running; a new process is a new run.</summary>
    public ContainerRun? Observe()
    {
        bool startedNow;
        lock (_gate)
        {
            var status = _process.Status;
            var process = status.State == ContainerState.Running ? status.Process : null;
            if (process == _current?.Process)
            {
                return _current;
            }

            _current = process is { } id ? new ContainerRun(id, _time.GetUtcNow()) : null;
            startedNow = _current is not null && Startup is null;
            if (startedNow)
            {
                _started = _current;
            }
        }

        if (startedNow)
        {
            OnStarted();
        }

        return _current;
    }

    public bool IsStarted(ContainerRun run)
    {
        lock (_gate)
        {
            return ReferenceEquals(_started, run);
        }
    }

    /// <summary>A worker's result changed (or the startup probe passed).</summary>
    public void Reported(ProbeWorker worker, ContainerRun run)
    {
        if (worker.Kind == ProbeKind.Startup)
        {
            lock (_gate)
            {
                if (!ReferenceEquals(_current, run))
                {
                    return;
                }

                _started = run;
            }

            KubeletLog.ContainerStarted(_logger, _pod, _container.Name);
            OnStarted();
            return;
        }

        UpdateReady();
    }

    /// <summary>
    /// Kills the run a liveness or startup probe failed: SIGTERM, then SIGKILL after the probe's (else the pod's)
    /// terminationGracePeriodSeconds. The container's supervision then applies the pod's restartPolicy.
    /// </summary>
    public async Task KillAsync(ProbeWorker worker, ContainerRun run, CancellationToken cancellationToken)
    {
        var grace = worker.Probe.TerminationGracePeriodSeconds ?? _podGraceSeconds ?? DefaultGraceSeconds;
        KubeletLog.ProbeKilling(_logger, _pod, _container.Name, worker.Kind.ToString().ToLowerInvariant(), worker.FailureThreshold);
        // Grace is real time, as the container runtime's stop timeout is (ContainerProcess.StopAsync too).
        await run.Process.StopAsync(TimeSpan.FromSeconds(Math.Max(0, grace)), TimeProvider.System, cancellationToken);
    }

    private void OnStarted()
    {
        _firstStarted.TrySetResult();
        // As the kubelet does once a container has started: readiness is probed at once, not at its next tick.
        Readiness?.Trigger();
        UpdateReady();
    }

    private void UpdateReady()
    {
        var ready = Ready;
        lock (_gate)
        {
            if (ready == _ready)
            {
                return;
            }

            _ready = ready;
        }

        KubeletLog.ReadinessChanged(_logger, _pod, _container.Name, ready ? "ready" : "not ready");
        if (ready)
        {
            _firstReady.TrySetResult();
        }
    }

    /// <summary>Sees a restart when it happens (not only at the next tick), so initialDelaySeconds counts from it.</summary>
    private async Task WatchAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var seen = Observe()?.Process;
            await _process.WaitForAsync(s => (s.State == ContainerState.Running ? s.Process : null) != seen, cancellationToken);
            Observe();
            UpdateReady();
        }
    }
}
