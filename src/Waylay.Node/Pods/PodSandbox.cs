using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Logging;
using Waylay.Node.Cni;
using Waylay.Node.Namespaces;
using Waylay.Node.Processes;
using Waylay.Node.State;

namespace Waylay.Node.Pods;

/// <summary>
/// A pod on a node: its network namespace (<c>wl-&lt;run&gt;-&lt;pod&gt;</c>) wired by the CNI network list of its
/// node, the pause process holding its mount and UTS namespaces with its volumes and files mounted, and its
/// containers run by its <see cref="IContainerRuntime"/>.
/// <code>
///  :: 1  record (state) → ip netns add
///  :: 2  CNI ADD (bridge + host-local, loopback) run in the node's namespace → pod IP, default route via 10.244.N.1
///  :: 3  pause: nsenter --net=pod unshare --mount --uts sleep infinity; hostname
///  :: 4  volumes and resolv.conf/hosts under the state directory, bind-mounted in the pod's mount namespace (only
///        for a runtime whose containers share it: processes; runc gives each container its own mounts)
///  :: 5  containers through the runtime: nsenter --target pause … setpriv … command, or runc run
/// </code>
/// </summary>
internal sealed class PodSandbox : IAsyncDisposable
{
    private readonly NodeNetwork _node;
    private readonly RunState _state;
    private readonly NodeRuntimeOptions _options;
    private readonly IContainerRuntime _runtime;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Process _pause;
    private readonly List<ContainerProcess> _containers = [];
    private IReadOnlyDictionary<string, string> _volumeSources = new Dictionary<string, string>();
    private int _stopped;

    private PodSandbox(
        PodSpec spec, NodeNetwork node, RunState state, PodRecord record, CniResult network, Process pause, ProcessIdentity pauseIdentity,
        NodeRuntimeOptions options, IContainerRuntime runtime, TimeProvider time, ILogger logger)
    {
        _options = options;
        _runtime = runtime;
        _time = time;
        _logger = logger;
        Spec = spec;
        _node = node;
        _state = state;
        Record = record;
        Network = network;
        _pause = pause;
        Pause = pauseIdentity;
    }

    public PodSpec Spec { get; }

    public string Name => Spec.Name;

    public PodRecord Record { get; }

    /// <summary>The network namespace's name (<c>ip netns</c>).</summary>
    public string Namespace => Record.Namespace;

    public string NamespacePath => NetworkNamespaces.PathOf(Namespace);

    public CniResult Network { get; }

    public IPAddress Address => Network.PodAddress(Interface)!;

    public ProcessIdentity Pause { get; }

    /// <summary>The node the pod runs on (its namespace is where the kubelet's probes come from).</summary>
    public NodeNetwork Node => _node;

    public IReadOnlyList<ContainerProcess> Containers => _containers;

    public const string Interface = "eth0";

    public static Task<PodSandbox> CreateAsync(
        PodSpec spec, NodeNetwork node, RunNames names, RunState state, NodeRuntimeOptions options,
        IContainerRuntime containers, TimeProvider time, ILogger logger, CancellationToken cancellationToken) =>
        CreateAsync(spec, node, names, state, options, containers, time, logger, startContainers: true, cancellationToken);

    /// <summary>The sandbox; with <paramref name="startContainers"/> false the containers are only mounted for, and the
    /// caller (the kubelet: init containers first) starts them with <see cref="StartContainer"/>.</summary>
    public static async Task<PodSandbox> CreateAsync(
        PodSpec spec, NodeNetwork node, RunNames names, RunState state, NodeRuntimeOptions options,
        IContainerRuntime containers, TimeProvider time, ILogger logger, bool startContainers, CancellationToken cancellationToken)
    {
        if (spec.Name.Length is 0 or > 200 || !spec.Name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '.'))
        {
            throw new PodSpecException([$"pod name '{spec.Name}': use 1 to 200 lower-case letters, digits, '-' and '.' (a Kubernetes name; the namespace file is wl-<run>-<pod>)"]);
        }

        if (spec.Name.StartsWith("node", StringComparison.Ordinal) && spec.Name.Length > 4 && spec.Name[4..].All(char.IsAsciiDigit))
        {
            throw new PodSpecException([$"pod name '{spec.Name}': wl-<run>-{spec.Name} is the name of node {spec.Name[4..]}'s namespace; rename the pod"]);
        }

        var plan = PodMountPlan.For(spec, options.AllowHostPath);
        // :: Step 1
        var record = new PodRecord(spec.Name, node.Index, names.PodNamespace(spec.Name), names.ContainerId(spec.Name));
        if (File.Exists(state.PodFile(spec.Name)))
        {
            throw new InvalidOperationException($"pod {spec.Name} already runs in this run; stop it first or give the new pod another name");
        }

        NetworkNamespaces.EnsureFree(record.Namespace);
        state.Write(state.PodFile(spec.Name), record);
        PodSandbox? pod = null;
        try
        {
            await NetworkNamespaces.AddAsync(record.Namespace, cancellationToken);

            // :: Step 2
            var network = await node.Network.AddAsync(Sandbox(record, spec.Name), cancellationToken);
            record = record with { CniResult = network.Raw };
            state.Write(state.PodFile(spec.Name), record);
            var address = network.PodAddress(Interface)
                ?? throw new InvalidOperationException($"CNI ADD for pod {spec.Name} gave no address on {Interface}: {network.Raw.ToJsonString()}");

            // :: Step 3
            var (pause, pauseIdentity) = await PauseProcess.StartAsync(NetworkNamespaces.PathOf(record.Namespace), spec.EffectiveHostname, cancellationToken);
            record = record with { Pause = pauseIdentity };
            state.Write(state.PodFile(spec.Name), record);
            pod = new PodSandbox(spec, node, state, record, network, pause, pauseIdentity, options, containers, time, logger);

            // :: Step 4
            var sources = PodVolumes.Prepare(spec, state, address);
            pod._volumeSources = sources;
            if (containers.SharesPodMounts)
            {
                var programs = spec.Containers.Select(c => (Directory: ProgramDirectory(c), Unprivileged: c.RunAsUser is > 0))
                    .Where(p => p.Directory is not null).ToList();
                await new PodMounter(pause.Id, state, spec.Name).MountAsync(
                    plan, sources, [.. programs.Select(p => p.Directory!)], [.. programs.Where(p => p.Unprivileged).Select(p => p.Directory!)], cancellationToken);
            }
            NodeLog.PodCreated(logger, spec.Name, record.Namespace, address.ToString(), node.Index);

            // :: Step 5
            foreach (var container in startContainers ? spec.Containers : [])
            {
                pod.StartContainer(container, spec.RestartPolicy);
            }
        }
        catch
        {
            // No partial pod: whatever was made is removed by the same path teardown takes.
            if (pod is not null)
            {
                await pod.DisposeAsync();
            }
            else
            {
                await RunTeardown.RemovePodAsync(record, node, state, CancellationToken.None);
            }

            throw;
        }

        return pod;
    }

    /// <summary>Starts one container in the sandbox, supervised with <paramref name="policy"/>; stopped with the pod.
    /// Its volume mounts must be among those the sandbox was made with (the spec's containers).</summary>
    public ContainerProcess StartContainer(ContainerSpec container, RestartPolicy policy)
    {
        var process = new ContainerProcess(container, policy, Context(container.Name), _runtime, _state, _options.Backoff, _time, _logger);
        lock (_containers)
        {
            _containers.Add(process);
        }

        process.Start();
        return process;
    }

    /// <summary>Runs a command in a container's place (an exec probe, <c>kubectl exec</c>): not supervised nor
    /// recorded (teardown ends whatever is left in the pod's namespace); its output goes to <c>&lt;container&gt;.exec.log</c>.</summary>
    public Process Exec(ContainerSpec container) =>
        _runtime.Exec(container, Context(container.Name) with { LogFile = _state.LogFile(Name, container.Name + ".exec") });

    private ContainerContext Context(string container) => new(Name, Spec.EffectiveHostname, _pause.Id, _state.LogFile(Name, container))
    {
        NetnsPath = NamespacePath,
        PodDirectory = _state.PodDirectory(Name),
        VolumeSources = _volumeSources,
    };

    /// <summary>CNI CHECK: the plugins confirm the sandbox's network is as ADD left it.</summary>
    public Task CheckNetworkAsync(CancellationToken cancellationToken) =>
        _node.Network.CheckAsync(Sandbox(Record, Name), Network, cancellationToken);

    public ContainerProcess Container(string name) =>
        _containers.Find(c => c.Name == name) ?? throw new ArgumentException($"pod {Name} has no container {name}", nameof(name));

    /// <summary>Stops the containers, then the pause process (its mount namespace goes with it), CNI DEL, the
    /// namespace and the pod's state.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        foreach (var container in _containers)
        {
            await container.StopAsync(TimeSpan.FromSeconds(10), cancellationToken);
        }

        await RunTeardown.RemovePodAsync(Record, _node, _state, cancellationToken);
        _pause.Dispose();
    }

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None);

    /// <summary>The machine's directory of the program a container runs, when its command names one by path.</summary>
    private static string? ProgramDirectory(ContainerSpec container) =>
        container.Command.Count > 0 && Path.IsPathRooted(container.Command[0]) ? Path.GetDirectoryName(container.Command[0]) : null;

    internal static CniSandbox Sandbox(PodRecord record, string pod) => new(
        record.ContainerId,
        NetworkNamespaces.PathOf(record.Namespace),
        Interface,
        $"IgnoreUnknown=1;K8S_POD_NAME={pod};K8S_POD_INFRA_CONTAINER_ID={record.ContainerId}");
}
