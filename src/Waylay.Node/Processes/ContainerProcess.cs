using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Waylay.Node.Pods;
using Waylay.Node.State;

namespace Waylay.Node.Processes;

/// <summary>
/// One container of a pod, run as a process and kept running as the pod's restartPolicy says: Always restarts after
/// any exit, OnFailure after a non-zero one, Never not at all; each restart waits the kubelet's back-off
/// (<see cref="RestartBackoff"/>, on the injected <see cref="TimeProvider"/>). Every process it starts is recorded
/// (PID and start time) in the state directory before anything else happens, so teardown finds it after a crash.
/// </summary>
internal sealed class ContainerProcess : IAsyncDisposable
{
    private readonly ContainerSpec _spec;
    private readonly RestartPolicy _policy;
    private readonly ContainerContext _context;
    private readonly IContainerRuntime _runtime;
    private readonly RunState _state;
    private readonly RestartBackoff _backoff;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _loop;

    public ContainerProcess(
        ContainerSpec spec, RestartPolicy policy, ContainerContext context, IContainerRuntime runtime,
        RunState state, RestartBackoff backoff, TimeProvider time, ILogger logger)
    {
        _spec = spec;
        _policy = policy;
        _context = context;
        _runtime = runtime;
        _state = state;
        _backoff = backoff;
        _time = time;
        _logger = logger;
        Status = new ContainerStatus(ContainerState.Waiting, 0, null, null, null);
    }

    public string Name => _spec.Name;

    public string LogFile => _context.LogFile;

    public ContainerStatus Status { get; private set; }

    /// <summary>Starts the first process; returns once it runs (later restarts happen in the background).</summary>
    public void Start()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(LogFile)!);
        var first = Launch(0);
        _loop = Task.Run(() => SuperviseAsync(first, _stopping.Token));
    }

    /// <summary>Waits until the status satisfies <paramref name="condition"/>.</summary>
    public async Task<ContainerStatus> WaitForAsync(Func<ContainerStatus, bool> condition, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (condition(Status))
                {
                    return Status;
                }

                changed = _changed.Task;
            }

            await changed.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Stops supervising, then SIGTERM and, after <paramref name="grace"/>, SIGKILL.</summary>
    public async Task StopAsync(TimeSpan grace, CancellationToken cancellationToken)
    {
        // The loop first, so it cannot start another process after this one was signalled.
        await _stopping.CancelAsync();
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        if (Status.Process is { } process)
        {
            await process.StopAsync(grace, TimeProvider.System, cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
        _stopping.Dispose();
    }

    private Process Launch(int restartCount)
    {
        var process = _runtime.Start(_spec, _context);
        var identity = ProcessIdentity.Of(process.Id);
        _state.Write(_state.ContainerFile(_context.Pod, _spec.Name), new ContainerRecord(_context.Pod, _spec.Name, identity, restartCount));
        NodeLog.ContainerStarted(_logger, _context.Pod, _spec.Name, process.Id, restartCount);
        Set(new ContainerStatus(ContainerState.Running, restartCount, identity, Status.LastExitCode, null));
        return process;
    }

    private async Task SuperviseAsync(Process process, CancellationToken stopping)
    {
        TimeSpan? previousBackoff = null;
        var restarts = 0;
        try
        {
            while (true)
            {
                var started = _time.GetUtcNow();
                await process.WaitForExitAsync(stopping);
                var exitCode = process.ExitCode;
                process.Dispose();
                var ranFor = _time.GetUtcNow() - started;
                NodeLog.ContainerExited(_logger, _context.Pod, _spec.Name, exitCode);
                if (_policy == RestartPolicy.Never || (_policy == RestartPolicy.OnFailure && exitCode == 0))
                {
                    Set(new ContainerStatus(ContainerState.Terminated, restarts, null, exitCode, null));
                    return;
                }

                var backoff = _backoff.Next(previousBackoff, ranFor);
                previousBackoff = backoff;
                // The timer first, then the status: whoever sees "waiting" can already move the clock past it.
                var wait = Task.Delay(backoff, _time, stopping);
                Set(new ContainerStatus(ContainerState.Waiting, restarts, null, exitCode, backoff));
                NodeLog.ContainerBackoff(_logger, _context.Pod, _spec.Name, backoff);
                await wait;
                restarts++;
                process = Launch(restarts);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // stopped: StopAsync signals the process by its identity; this handle is only ours to release
            process.Dispose();
        }
    }

    private void Set(ContainerStatus status)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            Status = status;
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }
}
