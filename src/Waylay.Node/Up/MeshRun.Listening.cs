namespace Waylay.Node.Up;

internal sealed partial class MeshRun
{
    /// <summary>How long <c>waylay up</c> waits, after every pod is ready, for the apps' declared ports to listen.</summary>
    private static readonly TimeSpan ListenWait = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Ready means what it means on Kubernetes, and Istio's Bookinfo gives its apps no readiness probe: a pod is ready
    /// once its sidecar is, while a JIT app may take seconds more to listen (the gateway answers 503 meanwhile). So
    /// before the URL is printed, wait until each probe-less container's declared TCP <c>containerPort</c> listens in its pod,
    /// as `kubectl rollout status` users then check by hand; a port still silent after <see cref="ListenWait"/> is
    /// named and the run goes on (the pods are ready, and an app may declare a port it opens later).
    /// </summary>
    private async Task WaitUntilDeclaredPortsListenAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTimeOffset.UtcNow + ListenWait;
        var told = false;
        while (true)
        {
            var silent = SilentPorts();
            if (silent.Count == 0)
            {
                return;
            }

            if (!told)
            {
                Say($"waiting for the apps to listen on their declared ports: {string.Join(", ", silent)}");
                told = true;
            }

            if (DateTimeOffset.UtcNow >= deadline)
            {
                Say($"warning: still not listening after {ListenWait.TotalSeconds:0} s (the pods are ready; see `waylay logs POD`): {string.Join(", ", silent)}");
                return;
            }

            await Task.Delay(Period, cancellationToken);
            await SyncAsync(cancellationToken);
        }
    }

    /// <summary>"namespace/pod:port" for each declared TCP port nothing listens on yet in its pod.</summary>
    private List<string> SilentPorts()
    {
        var silent = new List<string>();
        lock (_gate)
        {
            foreach (var (name, (planned, worker)) in _workers)
            {
                var declared = DeclaredTcpPorts(planned);
                if (declared.Count == 0)
                {
                    continue;
                }

                var listening = ListeningPorts.Of(worker.Sandbox.Pause.Pid);
                silent.AddRange(declared.Where(p => !listening.Contains(p)).Select(p => $"{planned.Namespace}/{name}:{p}"));
            }
        }

        return silent;
    }

    /// <summary>
    /// The TCP ports declared by the pod's running containers (native sidecars among its init containers too) that
    /// have no readiness probe: one with a probe has said what ready means (a gateway declares 8443 and listens there
    /// only when a Gateway asks for it), and its readiness already counted.
    /// </summary>
    private static List<int> DeclaredTcpPorts(PlannedPod planned) =>
        [.. (planned.Pod.Pod.Spec.Containers ?? [])
            .Concat((planned.Pod.Pod.Spec.InitContainers ?? []).Where(c => c.RestartPolicy == "Always"))
            .Where(c => c.ReadinessProbe is null)
            .SelectMany(c => c.Ports ?? [])
            .Where(p => p.Protocol is null or "TCP")
            .Select(p => p.ContainerPort)
            .Distinct()];
}
