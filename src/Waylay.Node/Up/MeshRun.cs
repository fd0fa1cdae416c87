using System.Net;
using PodEvent = Waylay.Discovery.V1.PodEvent;
using Waylay.Mesh;
using Waylay.Node.Dns;
using Waylay.Node.Kubelet;
using Waylay.Node.Namespaces;
using Waylay.Node.Processes;

namespace Waylay.Node.Up;

/// <summary>
/// <c>waylay up</c>'s supervisor: runs a <see cref="MeshPlan"/> on this machine and keeps it running.
/// <code>
///  :: 1 NodeRuntime.Create          state /run/waylay/&lt;run&gt;; up/supervisor.json = this process (PID + start time)
///  :: 2 nodes 1..N                  AddNodeAsync (the underlay from the second on)
///  :: 3 cluster DNS                 dnsmasq pod kube-dns on node 1, Service kube-system/kube-dns 10.96.0.10
///  :: 4 every Service               ClusterIP, kube-proxy rules on every node, DNS record (no endpoints yet)
///  :: 5 every pod, on its node      PodWorker: sandbox, init containers (capture), containers, readiness probes;
///                                   the control plane first, the others together once it is ready (as after
///                                   `istioctl install`)
///  :: 6 watch readiness             a pod that becomes ready (or stops being) → SetEndpointsAsync for each Service
///                                   whose selector matches it, in its namespace
///  :: 6  …and the ingress gateway     its mesh.yaml (GatewayConfig) rewritten as pods and endpoints change
///  :: 6  …and the control plane       Services and routing objects in its watched files (ControlPlaneFeed), pods
///                                   started/ready/not ready/stopped through its registration API (ControlRegistrations)
///  :: 6  …and the apps' ports      until every declared TCP containerPort listens in its pod (bounded), so the URL
///                                   printed next answers: readiness alone does not say an app without a probe has started
///  :: 7 all ready                   the forwarder on 127.0.0.1 → the exposed Service's ClusterIP (the ingress gateway's
///                                   when it runs); status Ready
/// </code>
/// Every change is written to <c>&lt;state&gt;/up/status.json</c> (<see cref="MeshStatus"/>) and told on
/// <c>progress</c>. Stopping (the token) tears everything down; a failure leaves the status Failed with its reason.
/// </summary>
internal sealed partial class MeshRun : IAsyncDisposable
{
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(500);

    private MeshPlan _plan;
    private RunObjects _objects;
    private readonly UpOptions _options;
    private readonly Dictionary<string, PodStatus> _status = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (PlannedPod Planned, PodWorker Worker)> _workers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _endpoints = new(StringComparer.Ordinal);
    private readonly Lock _gate = new(); // pods start side by side: their status, workers and registrations
    private Forwarder? _forwarder;
    private GatewayConfig? _gatewayConfig;
    private ControlPlaneFeed? _controlFeed;
    private ControlRegistrations? _registrations;
    private bool _controlObjectsDirty = true;
    private string _phase = MeshStatus.Starting;
    private string? _message;

    private MeshRun(NodeRuntime runtime, MeshPlan plan, UpOptions options, TextWriter progress)
    {
        Runtime = runtime;
        _plan = plan;
        _options = options;
        Progress = progress;
        _objects = new RunObjects(plan.Inputs);
        foreach (var planned in plan.Pods)
        {
            _status[planned.Pod.Name] = Pending(planned);
        }
    }

    public NodeRuntime Runtime { get; }

    private static PodStatus Pending(PlannedPod planned) =>
        new(planned.Namespace, planned.Pod.Name, $"node{planned.Node}", null, "Pending", false, planned.Pod.Source.Workload) { Labels = planned.Labels };

    /// <summary>Where progress lines go (the terminal, or the supervisor's log once the state directory exists).</summary>
    public TextWriter Progress { get; set; }

    public string? Url { get; private set; }

    /// <summary>The run's state directory, and this process recorded in it as the supervisor.</summary>
    public static MeshRun Create(MeshPlan plan, UpOptions options, TextWriter progress)
    {
        var runtime = NodeRuntime.Create(new NodeRuntimeOptions { RunId = options.RunId, StateRoot = options.StateRoot, AllowHostPath = options.AllowHostPath, IpMasquerade = options.IpMasquerade });
        runtime.State.Write(MeshStatus.SupervisorFile(runtime.State.Directory), ProcessIdentity.Of(Environment.ProcessId));
        var run = new MeshRun(runtime, plan, options, progress);
        run.Publish();
        return run;
    }

    /// <summary>Steps 2 to 7; returns when every pod is ready and the forwarder listens.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            // :: Step 2
            for (var node = 1; node <= _options.Nodes; node++)
            {
                var network = await Runtime.AddNodeAsync(node, cancellationToken);
                Say($"node{node}: {network.Namespace}");
            }

            // :: Step 3
            var dns = await ClusterDns.StartAsync(Runtime, cancellationToken);
            Say($"cluster DNS: kube-system/kube-dns 10.96.0.10 (pod {dns.Pod.Address} on node1)");

            // :: Step 4
            foreach (var service in _plan.Services)
            {
                var applied = await Runtime.Services.ApplyAsync(service.Service, cancellationToken);
                Say($"service {service.Namespace}/{service.Name}: {applied.Addresses[0]} ports {string.Join(", ", applied.Ports.Select(p => $"{p.Port}/{p.Protocol.ToString().ToUpperInvariant()}"))}");
            }

            if (RoutingNote(_plan) is { } note)
            {
                Say(note);
            }

            if (_plan.Pods.FirstOrDefault(p => p.Namespace == IngressGateway.Namespace && p.Pod.Source.Workload == $"Deployment/{IngressGateway.Name}") is { } ingress)
            {
                _gatewayConfig = new GatewayConfig(Runtime.State.VolumeDirectory(ingress.Pod.Name, IngressGateway.ConfigVolume));
            }

            if (_plan.Pods.FirstOrDefault(IsControlPlane) is { } control)
            {
                _controlFeed = new ControlPlaneFeed(Runtime.State.VolumeDirectory(control.Pod.Name, ControlPlane.ConfigVolume));
                var address = Runtime.Services.Current.Single(s => s.Namespace == ControlPlane.Namespace && s.Name == ControlPlane.Name).Addresses[0];
                _registrations = new ControlRegistrations(NetworkNamespaces.PathOf(Runtime.Names.NodeNamespace(1)), new IPEndPoint(address, ControlPlane.Port));
            }

            // :: Step 5
            // The control plane first, the other pods once it is ready, as an application is applied after `istioctl
            // install` has returned with istiod ready: a sidecar started before the control plane's Service has an
            // endpoint cannot connect, backs off (up to 10 s) and stays unready until its first config
            // (docs/benchmarks.md, "Node: the process runtime's start").
            if (_plan.Pods.FirstOrDefault(IsControlPlane) is { } controlPod)
            {
                await StartPodAsync(controlPod, cancellationToken);
                await _workers[controlPod.Pod.Name].Worker.WaitUntilReadyAsync(cancellationToken);
                await SyncAsync(cancellationToken); // its endpoint, and the Services and routing objects it serves
            }

            // The others side by side, as the kubelet's pod workers run: a pod's start (netns, CNI plugins, pause,
            // its init container) mostly waits on other processes, which on a busy machine took seconds a pod in turn.
            await Task.WhenAll(_plan.Pods.Where(p => !IsControlPlane(p)).Select(p => StartPodAsync(p, cancellationToken)));

            // :: Step 6
            while (!await SyncAsync(cancellationToken))
            {
                await Task.Delay(Period, cancellationToken);
            }

            await WaitUntilDeclaredPortsListenAsync(cancellationToken);

            // :: Step 7
            if (_plan.Exposed is { } exposed && _plan.ExposedPort is { } port)
            {
                var clusterIp = Runtime.Services.Current.Single(s => s.Namespace == exposed.Namespace && s.Name == exposed.Name).Addresses[0];
                _forwarder = Forwarder.Start(_options.Port, NetworkNamespaces.PathOf(Runtime.Names.NodeNamespace(1)), new IPEndPoint(clusterIp, port.Port));
                Url = $"http://127.0.0.1:{_forwarder.LocalEndPoint.Port}{_plan.UrlPath}";
                var through = exposed.Name == IngressGateway.Name ? ", the ingress gateway" : "";
                Say($"forwarding 127.0.0.1:{_forwarder.LocalEndPoint.Port} → service {exposed.Namespace}/{exposed.Name} {clusterIp}:{port.Port} (from node1{through})");
            }

            _phase = MeshStatus.Ready;
            Publish();
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            _phase = MeshStatus.Failed;
            _message = e.Message;
            Publish();
            throw;
        }
    }

    /// <summary>
    /// Istio's routing objects: the ingress gateway applies the Gateways, the VirtualServices bound to them and the
    /// DestinationRules; the sidecars the rest, streamed by the control plane. Without a control plane (no pod has a
    /// sidecar) nothing applies them: say so, never drop them silently.
    /// </summary>
    public static string? RoutingNote(MeshPlan plan)
    {
        var gateway = plan.IngressObjects.Count == 0 ? "" : $"the ingress gateway routes with {string.Join(", ", plan.IngressObjects.Distinct())}";
        // Gateways and the VirtualServices bound to one are the gateway's alone (one bound to "mesh" too is simplified
        // away here: the note names it once, under the gateway).
        var sidecars = plan.RoutingObjects.Where(o => !o.StartsWith("Gateway/", StringComparison.Ordinal)
            && !(o.StartsWith("VirtualService/", StringComparison.Ordinal) && plan.IngressObjects.Contains(o))).Distinct().ToList();
        var note = sidecars.Count == 0 ? ""
            : plan.ControlObjects.Count > 0 ? $"the sidecars route with {string.Join(", ", sidecars)}, streamed by the control plane {ControlPlane.Namespace}/{ControlPlane.Name}"
            : $"routing rules read but applied by no sidecar: {string.Join(", ", sidecars)} (no pod has a sidecar, so no control plane runs)";
        return gateway.Length == 0 && note.Length == 0 ? null : string.Join("; ", new[] { gateway, note }.Where(p => p.Length > 0));
    }

    /// <summary>Keeps endpoints following readiness until <paramref name="cancellationToken"/> fires.</summary>
    public async Task SuperviseAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await Task.Delay(Period, cancellationToken);
                await SyncAsync(cancellationToken);
                await HandleRequestsAsync(cancellationToken);
                ContainerLogRotation.Rotate(Runtime.State.Directory);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    public IReadOnlyList<PodStatus> Pods => [.. _status.Values];

    private async Task StartPodAsync(PlannedPod planned, CancellationToken cancellationToken)
    {
        SetPod(planned.Pod.Name, s => s with { Phase = "ContainerCreating" });
        PodWorker worker;
        try
        {
            worker = await PodWorker.StartAsync(Runtime, planned.Pod, planned.Node, TimeProvider.System, null, cancellationToken);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            SetPod(planned.Pod.Name, s => s with { Phase = "Failed" });
            throw;
        }

        lock (_gate)
        {
            _workers[planned.Pod.Name] = (planned, worker);
            Runtime.State.Write(Runtime.State.ExecFile(planned.Pod.Name), PodExec.Record(planned.Pod, worker.Facts, Runtime.Oci));
            SetPod(planned.Pod.Name, s => s with { Phase = "Running", Ip = worker.Sandbox.Address.ToString() });
            _registrations?.Report(PodEvent.Types.Phase.Started, planned, worker.Sandbox.Address);
        }
    }

    /// <summary>Readiness → status and endpoints; true when every pod is ready.</summary>
    private async Task<bool> SyncAsync(CancellationToken cancellationToken)
    {
        var changed = false;
        foreach (var (name, (planned, worker)) in _workers)
        {
            var ready = worker.Ready;
            if (_status[name].Ready != ready)
            {
                SetPod(name, s => s with { Ready = ready, Phase = ready ? "Ready" : "Running" });
                changed = true;
                _registrations?.Report(ready ? PodEvent.Types.Phase.Ready : PodEvent.Types.Phase.NotReady, planned, worker.Sandbox.Address);
                if (ready && IsControlPlane(planned))
                {
                    _registrations?.ResendAll(); // a restarted control plane knows no pod
                }
            }
        }

        var endpointsChanged = false;
        if (changed || _endpoints.Count == 0)
        {
            foreach (var service in _plan.Services)
            {
                var endpoints = Endpoints(service);
                var key = string.Join(",", endpoints.Select(e => e.Address));
                if (_endpoints.TryGetValue($"{service.Namespace}/{service.Name}", out var old) && old == key)
                {
                    continue;
                }

                await Runtime.Services.SetEndpointsAsync(service.Namespace, service.Name, endpoints, cancellationToken);
                _endpoints[$"{service.Namespace}/{service.Name}"] = key;
                endpointsChanged = true;
            }
        }

        if (endpointsChanged || changed)
        {
            WriteGatewayMesh();
        }

        if (_controlObjectsDirty && _controlFeed is { Ready: true })
        {
            _controlFeed.WriteObjects(_plan.ControlObjects, Runtime.Services.Current);
            _controlObjectsDirty = false;
        }

        if (_registrations is not null)
        {
            await _registrations.FlushAsync(cancellationToken);
        }

        return _status.Values.All(s => s.Ready);
    }

    private static bool IsControlPlane(PlannedPod planned) =>
        planned.Namespace == ControlPlane.Namespace && planned.Pod.Source.Workload == $"Deployment/{ControlPlane.Name}";

    /// <summary>The ready pods a Service selects, each with its ports for the Service's targetPorts by name.</summary>
    private List<Endpoint> Endpoints(ServiceManifest service)
    {
        var endpoints = new List<Endpoint>();
        foreach (var (planned, worker) in _workers.Values)
        {
            var labels = planned.Labels;
            if (!worker.Ready || !service.Selects(planned.Namespace, labels))
            {
                continue;
            }

            var ports = new Dictionary<string, ushort>(StringComparer.Ordinal);
            foreach (var (servicePort, containerPortName) in service.NamedTargetPorts)
            {
                if (planned.ContainerPort(containerPortName) is { } number)
                {
                    ports[servicePort] = number;
                }
            }

            endpoints.Add(new Endpoint(worker.Sandbox.Address, ports, labels));
        }

        return endpoints;
    }

    /// <summary>The gateway's mesh.yaml: the Services as kube-proxy has them (ClusterIPs, ready endpoints) and the pods.</summary>
    private void WriteGatewayMesh()
    {
        if (_gatewayConfig is not { Ready: true })
        {
            return;
        }

        _gatewayConfig.WriteMesh(Runtime.Services.Current, _workers.Values.Select(w => new Workload(w.Planned.Pod.Name, w.Planned.Namespace,
            [w.Worker.Sandbox.Address], w.Planned.Labels, w.Planned.Pod.Pod.Spec.ServiceAccountName)));
    }

    private void SetPod(string name, Func<PodStatus, PodStatus> change)
    {
        lock (_gate)
        {
            var before = _status[name];
            var after = change(before);
            _status[name] = after;
            if (after.Phase != before.Phase)
            {
                Say($"pod {after.Namespace}/{after.Name} on {after.Node}: {after.Phase}{(after.Ip is null ? "" : $" {after.Ip}")}");
            }

            Publish();
        }
    }

    private void Publish() =>
        Runtime.State.Write(MeshStatus.File(Runtime.State.Directory), new MeshStatus(_phase, _message, Url, Pods));

    private void Say(string line)
    {
        Progress.WriteLine(line);
        Progress.Flush();
    }

    /// <summary>Stops the forwarder and the probes, then removes everything the run made.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_forwarder is not null)
        {
            await _forwarder.DisposeAsync();
        }

        foreach (var (_, worker) in _workers.Values)
        {
            await worker.DisposeAsync();
        }

        _registrations?.Dispose();

        await Runtime.TeardownAsync(CancellationToken.None);
    }
}
