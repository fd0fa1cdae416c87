using System.Globalization;
using System.Text.Json.Nodes;
using Waylay.Node.Pods;

namespace Waylay.Node.Processes.Oci;

/// <summary>
/// A container's runtime spec (runtime-spec config.md) as a kubelet with containerd would make it:
/// <code>
///  process     argv and env as the kubelet resolved them over the image's (Entrypoint/Cmd/Env/WorkingDir), PATH
///              and HOSTNAME when unset; uid/gid from securityContext (else the image's User); capabilities
///              (Capabilities.cs); no_new_privs unless allowPrivilegeEscalation; no rlimits: the supervisor's own, as
///              containerd's containers inherit containerd's
///  root        the bundle's overlay, read-only with readOnlyRootFilesystem
///  namespaces  the pod's network namespace and its pause process's UTS namespace (the hostname) joined; pid, ipc
///              and mount new (a pod's containers do not share processes unless shareProcessNamespace)
///  mounts      runc's defaults (proc, dev, sysfs read-only, cgroup read-only), then the pod's hosts, resolv.conf and
///              hostname, then the container's volumeMounts (bind, read-only when asked)
/// </code>
/// </summary>
internal static class OciSpec
{
    public static JsonObject For(ContainerSpec container, ContainerContext context, OciBundle bundle)
    {
        var uid = container.RunAsUser ?? 0;
        var security = container.Security;
        var capabilities = Strings(Capabilities.For(security.AddCapabilities, security.DropCapabilities, security.Privileged));
        return new JsonObject
        {
            ["ociVersion"] = "1.0.2",
            ["process"] = new JsonObject
            {
                ["terminal"] = false,
                ["user"] = new JsonObject { ["uid"] = uid, ["gid"] = container.RunAsGroup ?? 0 },
                ["args"] = Strings(container.Command),
                ["env"] = Strings(ContainerCommand.Environment(container, context.Hostname).Select(p => $"{p.Key}={p.Value}")),
                ["cwd"] = container.WorkingDirectory ?? "/",
                ["capabilities"] = new JsonObject
                {
                    ["bounding"] = capabilities.DeepClone(),
                    ["effective"] = capabilities.DeepClone(),
                    ["permitted"] = capabilities.DeepClone(),
                },
                ["noNewPrivileges"] = !security.AllowPrivilegeEscalation && !security.Privileged,
            },
            ["root"] = new JsonObject { ["path"] = bundle.Rootfs, ["readonly"] = security.ReadOnlyRootFilesystem },
            ["mounts"] = Mounts(container, context, bundle),
            ["linux"] = new JsonObject
            {
                ["namespaces"] = new JsonArray(
                    new JsonObject { ["type"] = "pid" },
                    new JsonObject { ["type"] = "ipc" },
                    new JsonObject { ["type"] = "mount" },
                    new JsonObject { ["type"] = "network", ["path"] = context.NetnsPath },
                    new JsonObject { ["type"] = "uts", ["path"] = $"/proc/{context.PausePid.ToString(CultureInfo.InvariantCulture)}/ns/uts" }),
                ["resources"] = new JsonObject { ["devices"] = new JsonArray(new JsonObject { ["allow"] = false, ["access"] = "rwm" }) },
                ["maskedPaths"] = security.Privileged ? new JsonArray() : Strings(["/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                    "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware"]),
                ["readonlyPaths"] = security.Privileged ? new JsonArray() : Strings(["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]),
            },
        };
    }

    private static JsonArray Mounts(ContainerSpec container, ContainerContext context, OciBundle bundle)
    {
        var mounts = new JsonArray(
            Mount("/proc", "proc", "proc", []),
            Mount("/dev", "tmpfs", "tmpfs", ["nosuid", "strictatime", "mode=755", "size=65536k"]),
            Mount("/dev/pts", "devpts", "devpts", ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]),
            Mount("/dev/shm", "tmpfs", "shm", ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]),
            Mount("/dev/mqueue", "mqueue", "mqueue", ["nosuid", "noexec", "nodev"]),
            Mount("/sys", "sysfs", "sysfs", ["nosuid", "noexec", "nodev", "ro"]),
            Mount("/sys/fs/cgroup", "cgroup", "cgroup", ["nosuid", "noexec", "nodev", "relatime", "ro"]));
        // The pod's own files: read-only with a read-only root, as the kubelet mounts them.
        var etc = Path.Combine(context.PodDirectory, "etc");
        var readOnlyRoot = container.Security.ReadOnlyRootFilesystem;
        mounts.Add(Bind("/etc/hosts", Path.Combine(etc, "hosts"), readOnlyRoot));
        mounts.Add(Bind("/etc/resolv.conf", Path.Combine(etc, "resolv.conf"), readOnlyRoot));
        mounts.Add(Bind("/etc/hostname", bundle.Hostname, readOnlyRoot));
        foreach (var mount in container.VolumeMounts)
        {
            var source = context.VolumeSources.TryGetValue(mount.Name, out var directory)
                ? directory
                : throw new InvalidOperationException($"pod {context.Pod}, container {container.Name}: volume {mount.Name} was not prepared by its sandbox");
            mounts.Add(Bind(mount.MountPath, source, mount.ReadOnly));
        }

        return mounts;
    }

    private static JsonObject Mount(string destination, string type, string source, IReadOnlyList<string> options) =>
        new() { ["destination"] = destination, ["type"] = type, ["source"] = source, ["options"] = Strings(options) };

    private static JsonObject Bind(string destination, string source, bool readOnly) =>
        Mount(destination, "bind", source, readOnly ? ["rbind", "rprivate", "ro"] : ["rbind", "rprivate"]);

    private static JsonArray Strings(IEnumerable<string> values) => new([.. values.Select(v => JsonValue.Create(v))]);
}
