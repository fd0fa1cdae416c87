using k8s.Models;
using Waylay.Node.Images;
using Waylay.Node.Manifests;
using Waylay.Node.Pods;

namespace Waylay.Node.Kubelet;

/// <summary>
/// A pod ready for the kubelet: its sandbox's spec (volumes resolved, every container for the mount plan), its init
/// containers in order (native sidecars among them), its containers, each with its image resolved and its readiness
/// probe. Environments that need the pod's IP are built when it has one (<see cref="ContainerSpecFor"/>).
/// </summary>
internal sealed record KubeletPod(ManifestPod Source, V1Pod Pod, string NodeName, PodSpec Spec, IReadOnlyList<KubeletContainer> InitContainers, IReadOnlyList<KubeletContainer> Containers)
{
    public string Name => Spec.Name;

    /// <summary>What runs its containers: programs of this machine (the image table's), or its images through runc.</summary>
    public Processes.ContainerRuntimeKind Runtime { get; init; }

    /// <summary>The container as the runtime runs it, its env and <c>$(VAR)</c>s resolved with <paramref name="facts"/>.</summary>
    public ContainerSpec ContainerSpecFor(KubeletContainer container, PodFacts facts) =>
        container.Template with { Environment = container.Environment(facts), Command = container.Argv(facts) };
}

/// <summary>One container of a <see cref="KubeletPod"/>: the Kubernetes container, its image, its runtime template.</summary>
internal sealed record KubeletContainer(V1Container Container, ResolvedImage Image, ContainerSpec Template, ContainerEnvironment Env)
{
    public string Name => Container.Name;

    /// <summary>An init container with <c>restartPolicy: Always</c>: started before the rest and kept running.</summary>
    public bool IsNativeSidecar => Container.RestartPolicy == "Always";

    public V1Probe? Readiness => Container.ReadinessProbe;

    public IReadOnlyDictionary<string, string> Environment(PodFacts facts) => Env.Build(facts);

    public IReadOnlyList<string> Argv(PodFacts facts)
    {
        var env = Environment(facts);
        return [.. Image.Argv.Select(a => VarExpansion.Expand(a, n => env.GetValueOrDefault(n)))];
    }
}
