using System.Diagnostics;
using Waylay.Node.Kubelet;
using Waylay.Node.Pods;
using Waylay.Node.Processes;
using Waylay.Node.Processes.Oci;
using Waylay.Node.State;

namespace Waylay.Node.Up;

/// <summary>
/// <c>waylay exec POD [-c C] -- CMD…</c>, as <c>kubectl exec</c>: the command runs where the container's processes run,
/// by the very argv the runtime starts containers with (<see cref="ContainerCommand"/>: nsenter into the pause
/// process's network, mount and UTS namespaces, so the pod's resolv.conf, hosts and volumes apply; setpriv to the
/// container's uid/gid, 1337 in the sidecar), with the container's environment, and the caller's stdin, stdout and stderr.
/// A container run from an image (<c>--runtime oci</c>) is joined with <c>runc exec</c> instead.
/// </summary>
internal static class PodExec
{
    /// <summary>What the supervisor records when a pod starts, for a later exec from another process.</summary>
    public static ExecRecord Record(KubeletPod pod, PodFacts facts, OciContainerRuntime? oci = null)
    {
        var containers = new List<ExecContainer>();
        foreach (var init in pod.InitContainers)
        {
            containers.Add(Container(pod, init, facts, init.IsNativeSidecar ? ExecContainerKind.NativeSidecar : ExecContainerKind.Init, oci));
        }

        containers.AddRange(pod.Containers.Select(c => Container(pod, c, facts, ExecContainerKind.App, oci)));
        var annotations = pod.Pod.Metadata?.Annotations;
        return new ExecRecord(pod.Name, pod.Source.Namespace, pod.Spec.EffectiveHostname,
            annotations is not null && annotations.TryGetValue(Inject.Annotations.AnnotationNames.DefaultContainer, out var chosen) ? chosen : null, containers);
    }

    /// <summary>The process to start (stdio inherited), or a <see cref="PodLookupException"/> naming what is missing.</summary>
    public static ProcessStartInfo Prepare(RunPod pod, string? containerName, IReadOnlyList<string> command)
    {
        var name = pod.Name;
        var state = pod.Run;
        if (pod.Record is not { Pause: { } pause } || !pause.IsAlive)
        {
            throw new PodLookupException($"pod {name} has no running sandbox (phase {pod.Phase}); see waylay ps {pod.RunId}");
        }

        if (!File.Exists(state.ExecFile(name)))
        {
            throw new PodLookupException($"pod {name} is still starting (phase {pod.Phase}); try again once waylay ps {pod.RunId} shows it Running");
        }

        var record = RunState.Read<ExecRecord>(state.ExecFile(name));
        var container = containerName is null
            ? record.Default ?? throw new PodLookupException($"pod {name} has no app container; name one with -c: {Names(record)}")
            : record.Containers.FirstOrDefault(c => c.Name == containerName)
              ?? throw new PodLookupException($"-c {containerName}: pod {name} has no such container; its containers: {Names(record)}");
        if (container.Kind == ExecContainerKind.Init)
        {
            throw new PodLookupException($"-c {container.Name}: an init container of pod {name}, which ran to completion; exec into one of: {Names(record)}");
        }

        if (container.RuncContainer is { } id && container.RuncRoot is { } root)
        {
            // From an image: runc exec joins the container (its namespaces, root, user, env, capabilities).
            var runc = new ProcessStartInfo(OciContainerRuntime.Runc) { UseShellExecute = false };
            foreach (var argument in OciContainerRuntime.ExecArgv(root, id, command).Skip(1))
            {
                runc.ArgumentList.Add(argument);
            }

            return runc;
        }

        var spec = new ContainerSpec(container.Name, command, container.Environment, [])
        {
            RunAsUser = container.RunAsUser,
            RunAsGroup = container.RunAsGroup,
            WorkingDirectory = container.WorkingDirectory,
        };
        var argv = ContainerCommand.Argv(spec, pause.Pid);
        var start = new ProcessStartInfo(argv[0]) { UseShellExecute = false };
        foreach (var argument in argv.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Clear();
        foreach (var (key, value) in ContainerCommand.Environment(spec, record.Hostname))
        {
            start.Environment[key] = value;
        }

        return start;
    }

    private static ExecContainer Container(KubeletPod pod, KubeletContainer container, PodFacts facts, ExecContainerKind kind, OciContainerRuntime? oci)
    {
        var spec = pod.ContainerSpecFor(container, facts);
        var fromImage = pod.Runtime == ContainerRuntimeKind.Oci && oci is not null;
        return new ExecContainer(spec.Name, kind, spec.RunAsUser, spec.RunAsGroup, spec.WorkingDirectory, spec.Environment)
        {
            RuncContainer = fromImage ? oci!.ContainerId(pod.Name, spec.Name) : null,
            RuncRoot = fromImage ? oci!.RuncRoot : null,
        };
    }

    private static string Names(ExecRecord record) =>
        string.Join(", ", record.Containers.Where(c => c.Kind != ExecContainerKind.Init).Select(c => c.Name));
}
