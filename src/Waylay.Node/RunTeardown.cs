using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Waylay.Node.Namespaces;
using Waylay.Node.Processes;
using Waylay.Node.State;

namespace Waylay.Node;

/// <summary>
/// Removes exactly what a run made, from its state directory alone, so it works the same after a clean stop and after
/// a crash:
/// <code>
///  per pod:  its recorded processes (PID + start time), then any process left in its network namespace
///            → its mount namespace ends with its last process (the overlays, tmpfs and bind mounts with it)
///            → CNI DEL in the node's namespace (host-local releases the IP; the bridge plugin removes the veth)
///            → ip netns del, /etc/netns/&lt;name&gt;, the pod's state
///  underlay: the recorded host-gw routes and node ends of the cables → ip netns del wl-&lt;run&gt;-underlay
///  per node: any process left in it → ip netns del (the bridge and the veths' host ends go with it)
///  last:     the state directory (after checking nothing is mounted below it)
/// </code>
/// Each step is repeatable and goes on past a failure; the failures are reported together at the end.
/// </summary>
internal static class RunTeardown
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);

    public static async Task RunAsync(string stateDirectory, string cniPluginDirectory, ILogger? logger, CancellationToken cancellationToken)
    {
        logger ??= NullLogger.Instance;
        if (!Directory.Exists(stateDirectory))
        {
            return;
        }

        var state = new RunState(stateDirectory);
        var run = Path.GetFileName(stateDirectory.TrimEnd('/'));
        var options = new NodeRuntimeOptions { RunId = run, StateRoot = Path.GetDirectoryName(stateDirectory.TrimEnd('/'))!, CniPluginDirectory = cniPluginDirectory };
        var failures = new List<string>();
        var nodes = state.Nodes().ToList();
        foreach (var pod in state.Pods().ToList())
        {
            var record = nodes.Find(n => n.Index == pod.Node);
            var node = record is not null && NetworkNamespaces.Exists(record.Namespace) && File.Exists(record.ConfigList)
                ? NodeNetwork.Open(record, options)
                : null;
            await StepAsync($"pod {pod.Name}", () => RemovePodAsync(pod, node, state, cancellationToken), run, logger, failures);
        }

        await StepAsync("underlay", () => Underlay.UnderlayTeardown.RunAsync(state, cancellationToken), run, logger, failures);
        foreach (var node in nodes)
        {
            await StepAsync($"node {node.Namespace}", async () =>
            {
                await StopNamespaceProcessesAsync(node.Namespace, cancellationToken);
                await NetworkNamespaces.DeleteAsync(node.Namespace, cancellationToken);
            }, run, logger, failures);
        }

        await StepAsync("state directory", () =>
        {
            RemoveDirectory(stateDirectory);
            return Task.CompletedTask;
        }, run, logger, failures);

        if (failures.Count > 0)
        {
            throw new InvalidOperationException(
                $"teardown of run {run} left something behind:{Environment.NewLine}{string.Join(Environment.NewLine, failures)}{Environment.NewLine}run the teardown again; if it fails the same way, remove what is named by hand");
        }

        NodeLog.TeardownDone(logger, run);
    }

    /// <summary>Removes one pod as its record says; <paramref name="node"/> null when the node is already gone.</summary>
    public static async Task RemovePodAsync(PodRecord pod, NodeNetwork? node, RunState state, CancellationToken cancellationToken)
    {
        foreach (var container in state.Containers(pod.Name))
        {
            if (container.Process is { } process)
            {
                await process.StopAsync(Grace, TimeProvider.System, cancellationToken);
            }
        }

        await StopNamespaceProcessesAsync(pod.Namespace, cancellationToken);
        if (pod.Pause is { } pause)
        {
            await pause.StopAsync(Grace, TimeProvider.System, cancellationToken);
        }

        // Containers run from images (runc): their state, cgroups and overlays; nothing when the pod ran processes.
        await Processes.Oci.OciTeardown.RemovePodAsync(state.PodDirectory(pod.Name), Processes.Oci.OciContainerRuntime.RuncRootOf(state), pod.ContainerId, cancellationToken);

        if (node is not null && NetworkNamespaces.Exists(node.Namespace))
        {
            // CNI_NETNS is optional for DEL (SPEC.md): with the pod's namespace already gone, host-local still
            // releases the address and the bridge plugin removes what it can.
            var added = pod.CniResult is { } raw ? Cni.CniResult.Parse(raw) : null;
            var sandbox = Pods.PodSandbox.Sandbox(pod, pod.Name);
            await node.Network.DeleteAsync(NetworkNamespaces.Exists(pod.Namespace) ? sandbox : sandbox with { NetnsPath = "" }, added, cancellationToken);
        }

        await NetworkNamespaces.DeleteAsync(pod.Namespace, cancellationToken);
        RemoveDirectory(state.PodDirectory(pod.Name));
    }

    /// <summary>Every process in one of the run's namespaces is the run's: containers' children included.</summary>
    private static async Task StopNamespaceProcessesAsync(string @namespace, CancellationToken cancellationToken)
    {
        foreach (var pid in await NetworkNamespaces.PidsAsync(@namespace, cancellationToken))
        {
            if (ProcessIdentity.Of(pid) is { } process)
            {
                await process.StopAsync(Grace, TimeProvider.System, cancellationToken);
            }
        }
    }

    /// <summary>
    /// Deletes a directory of the run's, refusing when something is still mounted below it in this mount namespace
    /// (deleting through a mount would delete the mounted files).
    /// </summary>
    private static void RemoveDirectory(string directory)
    {
        if (!Directory.Exists(directory))
        {
            return;
        }

        var prefix = directory.TrimEnd('/') + "/";
        var mounted = File.ReadAllLines("/proc/self/mountinfo")
            .Select(l => l.Split(' ')[4])
            .Where(p => p.StartsWith(prefix, StringComparison.Ordinal) || p == directory)
            .ToList();
        if (mounted.Count > 0)
        {
            throw new InvalidOperationException($"still mounted below {directory}: {string.Join(", ", mounted)}; unmount them (umount) and run the teardown again");
        }

        Directory.Delete(directory, recursive: true);
    }

    private static async Task StepAsync(string what, Func<Task> step, string run, ILogger logger, List<string> failures)
    {
        try
        {
            await step();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            NodeLog.TeardownStepFailed(logger, run, what, e.Message);
            failures.Add($"{what}: {e.Message}");
        }
    }
}
