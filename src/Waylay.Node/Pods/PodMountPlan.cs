namespace Waylay.Node.Pods;

/// <summary>
/// What appears where in the pod's mount namespace: each container's volume mounts (the pod's union: all containers
/// share the sandbox's mount namespace) plus the pod's own resolv.conf and hosts. Checked as a whole before anything
/// is made: every error at once, each naming the field and the fix.
/// </summary>
internal sealed record PodMountPlan(IReadOnlyList<PodMount> Mounts)
{
    public static PodMountPlan For(PodSpec spec, bool allowHostPath)
    {
        var errors = new List<string>();
        var volumes = new Dictionary<string, PodVolume>(StringComparer.Ordinal);
        foreach (var volume in spec.Volumes)
        {
            if (!volumes.TryAdd(volume.Name, volume))
            {
                errors.Add($"pod {spec.Name}: volume '{volume.Name}' is declared twice; give each volume its own name");
            }

            if (volume.Kind == VolumeKind.HostPath && !allowHostPath)
            {
                errors.Add($"pod {spec.Name}: volume '{volume.Name}' is a hostPath ({volume.HostPath}), which exposes this machine's files to the pod; use an emptyDir, or allow hostPath volumes explicitly");
            }

            foreach (var file in volume.Files.Keys)
            {
                if (file.Length == 0 || Path.IsPathRooted(file) || file.Split('/').Contains(".."))
                {
                    errors.Add($"pod {spec.Name}: volume '{volume.Name}' has item path '{file}'; give a relative path without '..'");
                }
            }
        }

        var byPath = new Dictionary<string, PodMount>(StringComparer.Ordinal);
        foreach (var container in spec.Containers)
        {
            foreach (var mount in container.VolumeMounts)
            {
                var where = $"pod {spec.Name}, container {container.Name}, volumeMount '{mount.Name}'";
                if (!volumes.TryGetValue(mount.Name, out var volume))
                {
                    errors.Add($"{where}: the pod declares no volume '{mount.Name}'; add it to spec.volumes or fix the name");
                    continue;
                }

                var path = mount.MountPath.TrimEnd('/');
                if (!Path.IsPathFullyQualified(mount.MountPath) || path.Length == 0 || path.Split('/').Contains("..")
                    || path.IndexOfAny([',', ':', '\n']) >= 0)
                {
                    errors.Add($"{where}: mountPath '{mount.MountPath}' must be an absolute path below / without '..', ',' or ':'");
                    continue;
                }

                if (path is "/etc/resolv.conf" or "/etc/hosts" or "/etc/nsswitch.conf")
                {
                    errors.Add($"{where}: mountPath {path} is the pod's own file, made by the runtime; mount the volume elsewhere");
                    continue;
                }

                var planned = new PodMount(path, volume.Name, IsFile: false, mount.ReadOnly);
                if (byPath.TryGetValue(path, out var other))
                {
                    if (other.Volume != volume.Name)
                    {
                        errors.Add($"{where}: {path} is already where volume '{other.Volume}' is mounted; containers of one pod share a mount namespace here, so one path holds one volume");
                    }
                    else if (other.ReadOnly && !mount.ReadOnly)
                    {
                        byPath[path] = other with { ReadOnly = false };
                    }

                    continue;
                }

                byPath[path] = planned;
            }
        }

        if (errors.Count > 0)
        {
            throw new PodSpecException(errors);
        }

        byPath["/etc/resolv.conf"] = new PodMount("/etc/resolv.conf", null, IsFile: true, ReadOnly: false);
        byPath["/etc/hosts"] = new PodMount("/etc/hosts", null, IsFile: true, ReadOnly: false);
        byPath["/etc/nsswitch.conf"] = new PodMount("/etc/nsswitch.conf", null, IsFile: true, ReadOnly: true);
        return new PodMountPlan([.. byPath.Values.OrderBy(m => m.Path, StringComparer.Ordinal)]);
    }
}

/// <summary>One mount: a volume (or, with no volume, the pod's own file of that name) at a path.</summary>
internal sealed record PodMount(string Path, string? Volume, bool IsFile, bool ReadOnly);
