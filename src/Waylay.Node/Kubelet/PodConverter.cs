using k8s.Models;
using Waylay.Inject;
using Waylay.Node.Images;
using Waylay.Node.Manifests;
using Waylay.Node.Pods;

namespace Waylay.Node.Kubelet;

/// <summary>
/// A pod of the manifest set → what the node runtime runs: images through the <see cref="ImageTable"/> (programs) or
/// the image store (OCI images, with their User and the securityContext's capabilities), uid/gid
/// from the container's securityContext over the pod's, volumes with their files (ConfigMaps and Secrets from the
/// manifests, downwardAPI items from <see cref="PodFacts"/>), env and <c>$(VAR)</c> as the kubelet builds them.
/// Every problem of a pod is found here, before anything of it runs.
/// </summary>
internal static class PodConverter
{
    public static KubeletPod Convert(ManifestPod source, ManifestSet manifests, IImageSource images, string nodeName, string clusterDns)
    {
        var template = PodModel.TryRead(source.Pod, out var error)
            ?? throw new PodConversionException($"pod {source.Name} ({source.Workload}) {error}");
        var pod = new V1Pod { Metadata = template.Metadata, Spec = template.Spec };
        var where = $"pod {source.Namespace}/{source.Name} ({source.Workload})";
        var facts = new PodFacts(pod, nodeName, null, null);
        var volumes = (pod.Spec.Volumes ?? []).Select(v => Volume(v, manifests, source.Namespace, facts, where)).ToList();
        var init = (pod.Spec.InitContainers ?? []).Select(c => Container(c, pod, manifests, images, source.Namespace, facts, $"{where}: init container {c.Name}")).ToList();
        var containers = pod.Spec.Containers.Select(c => Container(c, pod, manifests, images, source.Namespace, facts, $"{where}: container {c.Name}")).ToList();
        var policy = pod.Spec.RestartPolicy switch
        {
            null or "Always" => RestartPolicy.Always,
            "OnFailure" => RestartPolicy.OnFailure,
            "Never" => RestartPolicy.Never,
            var other => throw new PodConversionException($"{where}: restartPolicy '{other}': use Always, OnFailure or Never"),
        };
        var spec = new PodSpec(source.Name, [.. init.Select(c => c.Template), .. containers.Select(c => c.Template)], volumes, policy, PodDns.ClusterFirst(clusterDns, source.Namespace))
        {
            Hostname = pod.Spec.Hostname,
        };
        return new KubeletPod(source, pod, nodeName, spec, init, containers);
    }

    private static KubeletContainer Container(V1Container container, V1Pod pod, ManifestSet manifests, IImageSource images, string ns, PodFacts facts, string where)
    {
        if (string.IsNullOrEmpty(container.Image))
        {
            throw new PodConversionException($"{where}: image is required");
        }

        ResolvedImage image;
        try
        {
            image = images.Resolve(container.Image, container.Command?.ToList(), container.Args?.ToList());
        }
        catch (ImageTableException e)
        {
            throw new ImageTableException($"{where}: {e.Message}");
        }
        catch (Images.Store.ImageStoreException e)
        {
            throw new Images.Store.ImageStoreException($"{where}: {e.Message}");
        }

        foreach (var (kind, probe) in new[] { ("readinessProbe", container.ReadinessProbe), ("livenessProbe", container.LivenessProbe), ("startupProbe", container.StartupProbe) })
        {
            if ((probe?.HttpGet?.Port ?? probe?.TcpSocket?.Port)?.Value is { } port && !int.TryParse(port, out _)
                && container.Ports?.Any(p => p.Name == port) != true)
            {
                throw new PodConversionException($"{where}: {kind} port '{port}' names no port of the container; use a number or one of its ports[].name");
            }
        }

        var env = new ContainerEnvironment(container, image.Environment, manifests, ns, where);
        env.Validate(facts);
        var mounts = (container.VolumeMounts ?? []).Select(m => m.SubPath is { Length: > 0 } || m.SubPathExpr is { Length: > 0 }
            ? throw new PodConversionException($"{where}: volumeMount {m.Name} at {m.MountPath} uses subPath, which waylay up does not support yet; mount the whole volume")
            : new VolumeMount(m.Name, m.MountPath, m.ReadOnlyProperty == true)).ToList();
        var context = container.SecurityContext;
        var podContext = pod.Spec.SecurityContext;
        // An image's User applies only where the securityContext gives no uid (the kubelet's rule); its group with it.
        var imageUser = image.Stored is { } stored ? Images.Store.ImageUser.Of(stored) : null;
        var runAsUser = (uint?)(context?.RunAsUser ?? podContext?.RunAsUser);
        var spec = new ContainerSpec(container.Name, image.Argv, new Dictionary<string, string>(), mounts)
        {
            RunAsUser = runAsUser ?? imageUser?.Uid,
            RunAsGroup = (uint?)(context?.RunAsGroup ?? podContext?.RunAsGroup) ?? (runAsUser is null ? imageUser?.Gid : null),
            WorkingDirectory = container.WorkingDir ?? image.WorkingDirectory,
            Image = image.Stored,
            Security = new ContainerSecurity(
                [.. context?.Capabilities?.Add ?? []],
                [.. context?.Capabilities?.Drop ?? []],
                context?.ReadOnlyRootFilesystem ?? false,
                context?.AllowPrivilegeEscalation ?? true,
                context?.Privileged ?? false),
        };
        return new KubeletContainer(container, image, spec, env);
    }

    private static PodVolume Volume(V1Volume volume, ManifestSet manifests, string ns, PodFacts facts, string where)
    {
        where = $"{where}: volume {volume.Name}";
        if (volume.EmptyDir is not null)
        {
            return PodVolume.EmptyDir(volume.Name);
        }

        if (volume.ConfigMap is { } cm)
        {
            var data = manifests.ConfigMap(ns, cm.Name) ?? Missing(cm.Optional, $"ConfigMap {cm.Name}", ns, where);
            return new PodVolume(volume.Name, VolumeKind.ConfigMap) { Files = Items(data, cm.Items, where) };
        }

        if (volume.Secret is { } secret)
        {
            var data = manifests.Secret(ns, secret.SecretName) ?? Missing(secret.Optional, $"Secret {secret.SecretName}", ns, where);
            return new PodVolume(volume.Name, VolumeKind.Secret) { Files = Items(data, secret.Items, where) };
        }

        if (volume.DownwardAPI is { } downward)
        {
            var files = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var item in downward.Items ?? [])
            {
                files[item.Path] = item.FieldRef is { } field
                    ? facts.Field(field.FieldPath, where)
                    : throw new PodConversionException($"{where}: item {item.Path}: resourceFieldRef is not supported by waylay up; use a fieldRef");
            }

            return new PodVolume(volume.Name, VolumeKind.DownwardApi) { Files = files };
        }

        if (volume.HostPath is { } host)
        {
            return new PodVolume(volume.Name, VolumeKind.HostPath) { HostPath = host.Path };
        }

        throw new PodConversionException($"{where}: waylay up runs emptyDir, configMap, secret, downwardAPI and hostPath volumes (hostPath with --allow-host-path); change this volume to one of them");
    }

    private static IReadOnlyDictionary<string, string> Missing(bool? optional, string what, string ns, string where) =>
        optional == true
            ? new Dictionary<string, string>()
            : throw new PodConversionException($"{where}: {what} is not in the manifests (namespace {ns}); add it to the files passed to waylay up or mark the volume optional: true");

    private static Dictionary<string, string> Items(IReadOnlyDictionary<string, string> data, IList<V1KeyToPath>? items, string where)
    {
        if (items is null or { Count: 0 })
        {
            return data.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        }

        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            files[item.Path] = data.TryGetValue(item.Key, out var value)
                ? value
                : throw new PodConversionException($"{where}: items names key '{item.Key}', which the data does not have; add the key or remove the item");
        }

        return files;
    }

}
