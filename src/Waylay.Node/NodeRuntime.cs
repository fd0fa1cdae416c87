using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Waylay.Node.Namespaces;
using Waylay.Node.Pods;
using Waylay.Node.Processes;
using Waylay.Node.Services;
using Waylay.Node.State;
using Waylay.Node.Underlay;

namespace Waylay.Node;

/// <summary>
/// The single-machine runtime of one run: nodes (network namespaces with a CNI bridge), pods on them (sandboxes with
/// their containers as processes), and teardown of all of it. What <c>waylay up</c> drives.
/// <code>
///  NodeRuntime.Create(options)          state directory &lt;root&gt;/&lt;run&gt;
///    .AddNodeAsync(N)                   wl-&lt;run&gt;-nodeN, CNI list for 10.244.N.0/24; from the second node on, all
///                                       joined by the underlay (10.243.0.N, host-gw routes: Underlay/UnderlayNetwork)
///    .StartPodAsync(spec, N)            wl-&lt;run&gt;-&lt;pod&gt;, CNI ADD, pause, mounts, containers
///    .TeardownAsync()                   everything the state directory names (also: TeardownAsync(stateDir) after a crash)
/// </code>
/// </summary>
internal sealed class NodeRuntime : IAsyncDisposable
{
    private readonly Dictionary<int, NodeNetwork> _nodes = [];
    private readonly Dictionary<string, PodSandbox> _pods = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly IContainerRuntime _containers;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);

    private NodeRuntime(NodeRuntimeOptions options, IContainerRuntime containers, TimeProvider time, ILogger logger)
    {
        _containers = containers;
        Options = options;
        Names = new RunNames(options.RunId);
        State = new RunState(options.StateDirectory);
        Services = new ClusterServices(new KubeProxy(Names, options.MasqueradeAll));
        Underlay = new UnderlayNetwork(Names, State, logger);
        _time = time;
        _logger = logger;
    }

    public NodeRuntimeOptions Options { get; }

    public RunNames Names { get; }

    public RunState State { get; }

    /// <summary>The cluster's services: ClusterIPs, the kube-proxy role in every node, the cluster DNS's records.</summary>
    public ClusterServices Services { get; }

    /// <summary>The network between the nodes (made when the second node is added).</summary>
    public UnderlayNetwork Underlay { get; }

    public IReadOnlyCollection<PodSandbox> Pods => _pods.Values;

    /// <summary>runc for the pods whose containers run from images (its state under this run's state directory).</summary>
    public Processes.Oci.OciContainerRuntime Oci => field ??= new(Processes.Oci.OciContainerRuntime.RuncRootOf(State), Names);

    /// <summary>A new run; <paramref name="containers"/> runs the containers (default: processes in the pods' namespaces).</summary>
    public static NodeRuntime Create(
        NodeRuntimeOptions options, TimeProvider? time = null, ILoggerFactory? loggers = null, IContainerRuntime? containers = null)
    {
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(Environment.NewLine, errors), nameof(options));
        }

        if (Directory.Exists(options.StateDirectory))
        {
            throw new InvalidOperationException(
                $"state directory {options.StateDirectory} exists: run {options.RunId} is live or crashed; tear it down first (NodeRuntime.TeardownAsync on that directory) or pick another run id");
        }

        var runtime = new NodeRuntime(options, containers ?? ProcessContainerRuntime.Instance, time ?? TimeProvider.System, (loggers ?? NullLoggerFactory.Instance).CreateLogger("Waylay.Node"));
        // Root's alone: secrets and logs live here. Containers see their volumes through mounts, not this path.
        Directory.CreateDirectory(options.StateDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        runtime.State.Write(Path.Combine(options.StateDirectory, "run.json"), new { runId = options.RunId, cniPluginDirectory = options.CniPluginDirectory });
        return runtime;
    }

    public async Task<NodeNetwork> AddNodeAsync(int index, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_nodes.TryGetValue(index, out var existing))
            {
                return existing;
            }

            if (_nodes.Count > 0 && new[] { index }.Concat(_nodes.Keys).Select(UnderlayNetwork.Check).FirstOrDefault(e => e is not null) is { } error)
            {
                throw new ArgumentOutOfRangeException(nameof(index), index, error);
            }

            var node = await NodeNetwork.CreateAsync(Names, State, Options, index, cancellationToken);
            _nodes[index] = node;
            await Services.Proxy.AddNodeAsync(node, cancellationToken);
            if (_nodes.Count > 1)
            {
                await Underlay.JoinAsync(_nodes.Values, Services.Proxy.ServiceDevice, cancellationToken);
            }

            NodeLog.NodeCreated(_logger, index, node.Namespace);
            return node;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<PodSandbox> StartPodAsync(PodSpec spec, int node, CancellationToken cancellationToken)
    {
        var network = await AddNodeAsync(node, cancellationToken);
        var pod = await PodSandbox.CreateAsync(spec, network, Names, State, Options, _containers, _time, _logger, cancellationToken);
        lock (_pods)
        {
            _pods[spec.Name] = pod;
        }

        return pod;
    }

    /// <summary>A pod's sandbox (network, pause, mounts for all of <paramref name="spec"/>'s containers) with no
    /// container started: the kubelet (<c>Kubelet/PodWorker.cs</c>) starts them in its order.</summary>
    public Task<PodSandbox> StartSandboxAsync(PodSpec spec, int node, CancellationToken cancellationToken) =>
        StartSandboxAsync(spec, node, ContainerRuntimeKind.Process, cancellationToken);

    /// <summary>The sandbox of a pod whose containers <paramref name="kind"/> runs (Process: the runtime this node was
    /// created with; Oci: runc, <see cref="Oci"/>).</summary>
    public async Task<PodSandbox> StartSandboxAsync(PodSpec spec, int node, ContainerRuntimeKind kind, CancellationToken cancellationToken)
    {
        var network = await AddNodeAsync(node, cancellationToken);
        var containers = kind == ContainerRuntimeKind.Oci ? Oci : _containers;
        var pod = await PodSandbox.CreateAsync(spec, network, Names, State, Options, containers, _time, _logger, startContainers: false, cancellationToken);
        lock (_pods)
        {
            _pods[spec.Name] = pod;
        }

        return pod;
    }

    public async Task StopPodAsync(string name, CancellationToken cancellationToken)
    {
        PodSandbox? pod;
        lock (_pods)
        {
            _pods.Remove(name, out pod);
        }

        if (pod is not null)
        {
            await pod.StopAsync(cancellationToken);
        }
    }

    /// <summary>Stops every pod's supervision, then removes everything the state directory names.</summary>
    public async Task TeardownAsync(CancellationToken cancellationToken)
    {
        List<PodSandbox> pods;
        lock (_pods)
        {
            pods = [.. _pods.Values];
            _pods.Clear();
        }

        foreach (var pod in pods)
        {
            foreach (var container in pod.Containers)
            {
                await container.StopAsync(TimeSpan.FromSeconds(10), cancellationToken);
            }
        }

        _nodes.Clear();
        await RunTeardown.RunAsync(State.Directory, Options.CniPluginDirectory, _logger, cancellationToken);
        foreach (var pod in pods)
        {
            await pod.DisposeAsync();
        }
    }

    /// <summary>Teardown from a state directory alone: after a crash, or from another process.</summary>
    public static Task TeardownAsync(string stateDirectory, ILoggerFactory? loggers, CancellationToken cancellationToken)
    {
        var cniPluginDirectory = "/usr/lib/cni";
        var run = Path.Combine(stateDirectory, "run.json");
        if (File.Exists(run) && System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(run))?["cniPluginDirectory"] is { } recorded)
        {
            cniPluginDirectory = (string)recorded!;
        }

        return RunTeardown.RunAsync(stateDirectory, cniPluginDirectory, loggers?.CreateLogger("Waylay.Node"), cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await TeardownAsync(CancellationToken.None);
        _gate.Dispose();
    }
}
