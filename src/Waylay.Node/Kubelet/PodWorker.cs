using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Waylay.Node.Pods;
using Waylay.Node.Processes;

namespace Waylay.Node.Kubelet;

/// <summary>
/// Runs one <see cref="KubeletPod"/> as the kubelet's pod worker does (<c>kuberuntime_manager.go SyncPod</c>):
/// <code>
///  :: 1 sandbox: network namespace, CNI (the pod IP, for status.podIP), pause, every container's mounts
///  :: 2 init containers in order: a native sidecar (restartPolicy: Always) is started and kept running, and the next
///       one waits for its startup probe; any other runs to completion, and a non-zero exit fails the pod start with
///       its log tail
///  :: 3 the containers, supervised per the pod's restartPolicy with back-off
///  :: 4 their probes (<see cref="ContainerProber"/>: startup, liveness, readiness; from the node's namespace to the
///       pod IP, exec in the container's namespaces as its uid); a container without probes is ready when running
/// </code>
/// Stopping the pod (<see cref="NodeRuntime.StopPodAsync"/> or teardown) stops its containers; <see cref="DisposeAsync"/>
/// ends the probes.
/// </summary>
internal sealed class PodWorker : IAsyncDisposable
{
    public const int LogTailLines = 20;

    private readonly CancellationTokenSource _stopping = new();
    private readonly List<(ContainerProcess Process, ContainerProber? Prober)> _ready = [];
    private readonly List<Task> _probes = [];

    private readonly ILogger _logger;

    private PodWorker(KubeletPod pod, PodSandbox sandbox, PodFacts facts, ILogger logger)
    {
        _logger = logger;
        Pod = pod;
        Sandbox = sandbox;
        Facts = facts;
    }

    public KubeletPod Pod { get; }

    public PodSandbox Sandbox { get; }

    public PodFacts Facts { get; }

    /// <summary>The pod's Ready condition: every container (and native sidecar) running, started and passing its readiness probe.</summary>
    public bool Ready => _ready.All(c => c.Process.Status.State == ContainerState.Running && (c.Prober?.Ready ?? true));

    /// <summary>The probes of a container that has any (a test looks at their attempts).</summary>
    public ContainerProber? Prober(string container) => _ready.Find(c => c.Process.Name == container).Prober;

    public static async Task<PodWorker> StartAsync(NodeRuntime runtime, KubeletPod pod, int node, TimeProvider time, ILogger? logger, CancellationToken cancellationToken)
    {
        logger ??= NullLogger.Instance;
        // :: Step 1 (the pod object first: what diagnostics read its labels and injected capture flags from)
        runtime.State.Write(runtime.State.ManifestFile(pod.Name), pod.Source.Pod);
        var sandbox = await runtime.StartSandboxAsync(pod.Spec, node, pod.Runtime, cancellationToken);
        var hostIP = sandbox.Network.Ips.FirstOrDefault()?.Gateway;
        var worker = new PodWorker(pod, sandbox, new PodFacts(pod.Pod, pod.NodeName, sandbox.Address, hostIP), logger);
        try
        {
            // :: Step 2
            foreach (var init in pod.InitContainers)
            {
                var spec = pod.ContainerSpecFor(init, worker.Facts);
                if (init.IsNativeSidecar)
                {
                    var sidecar = worker.Track(init, sandbox.StartContainer(spec, RestartPolicy.Always), time);
                    KubeletLog.SidecarStarted(logger, pod.Name, init.Name);
                    if (sidecar is { Startup: not null })
                    {
                        // The kubelet starts the next container only once a sidecar has started (its startup probe passed).
                        await worker.WaitForProbesAsync(sidecar.FirstStarted, "started", cancellationToken);
                    }

                    continue;
                }

                var process = sandbox.StartContainer(spec, RestartPolicy.Never);
                var done = await process.WaitForAsync(s => s.State == ContainerState.Terminated, cancellationToken);
                if (done.LastExitCode != 0)
                {
                    KubeletLog.InitFailed(logger, pod.Name, init.Name, done.LastExitCode);
                    throw new PodStartException(
                        $"pod {pod.Name}: init container {init.Name} exited with {done.LastExitCode}; the pod does not start. Its log ({process.LogFile}) ends:\n{Tail(process.LogFile)}");
                }

                KubeletLog.InitCompleted(logger, pod.Name, init.Name);
            }

            // :: Step 3
            foreach (var container in pod.Containers)
            {
                worker.Track(container, sandbox.StartContainer(pod.ContainerSpecFor(container, worker.Facts), pod.Spec.RestartPolicy), time);
            }
        }
        catch
        {
            await worker.DisposeAsync();
            await runtime.StopPodAsync(pod.Name, CancellationToken.None);
            throw;
        }

        return worker;
    }

    /// <summary>Waits until the pod is Ready (every container started and its readiness probe passed once, every container running).</summary>
    public async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        await WaitForProbesAsync(Task.WhenAll(_ready.Select(c => c.Prober?.FirstReady ?? Task.CompletedTask)), "ready", cancellationToken);
        foreach (var (process, _) in _ready)
        {
            await process.WaitForAsync(s => s.State == ContainerState.Running, cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await Task.WhenAll(_probes).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stopping.Dispose();
    }

    /// <summary>Waits for <paramref name="what"/>; a prober ends only when stopped or broken (no namespace to probe
    /// from): then say why, rather than wait forever.</summary>
    private async Task WaitForProbesAsync(Task what, string state, CancellationToken cancellationToken)
    {
        var first = await Task.WhenAny([what, .. _probes]).WaitAsync(cancellationToken);
        await first;
        if (first != what)
        {
            throw new InvalidOperationException($"pod {Pod.Name}: its probes stopped before it was {state}");
        }
    }

    private ContainerProber? Track(KubeletContainer container, ContainerProcess process, TimeProvider time)
    {
        ContainerProber? prober = null;
        if (container.Container is { ReadinessProbe: not null } or { LivenessProbe: not null } or { StartupProbe: not null })
        {
            var runner = new ProbeRunner(Namespaces.NetworkNamespaces.PathOf(Sandbox.Node.Namespace), Sandbox.Address, (command, token) => ExecAsync(container, command, token));
            prober = new ContainerProber(Pod.Name, container.Container, process, runner, Pod.Pod.Spec?.TerminationGracePeriodSeconds, time, _logger);
            var token = _stopping.Token;
            _probes.Add(Task.Run(() => prober.RunAsync(token), token));
        }

        _ready.Add((process, prober));
        return prober;
    }

    private async Task<int> ExecAsync(KubeletContainer container, IReadOnlyList<string> command, CancellationToken cancellationToken)
    {
        using var process = Sandbox.Exec(Pod.ContainerSpecFor(container, Facts) with { Command = command });
        try
        {
            await process.WaitForExitAsync(cancellationToken);
            return process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            process.Kill(); // timeoutSeconds passed: the kubelet gives up on the command too
            throw;
        }
    }

    private static string Tail(string logFile) =>
        File.Exists(logFile) ? string.Join("\n", File.ReadLines(logFile).TakeLast(LogTailLines)) : "(no log)";
}
