using Waylay.Linux;

namespace Waylay.Node.Processes.Oci;

/// <summary>
/// Removes a pod's OCI containers from its state directory alone (after a clean stop or a crash): each bundle under
/// <c>pods/&lt;pod&gt;/oci/</c> names a container <c>wl-&lt;run&gt;-&lt;pod&gt;-&lt;container&gt;</c>; runc deletes it
/// (its state and cgroup) if it is still there, then the bundle's overlay is unmounted and the bundle deleted. Runs
/// after the pod's processes were stopped, so no container is running any more.
/// </summary>
internal static class OciTeardown
{
    public static async Task RemovePodAsync(string podDirectory, string runcRoot, string containerIdPrefix, CancellationToken cancellationToken)
    {
        var bundles = Path.Combine(podDirectory, "oci");
        if (!Directory.Exists(bundles))
        {
            return;
        }

        foreach (var directory in Directory.GetDirectories(bundles).Order(StringComparer.Ordinal))
        {
            var id = $"{containerIdPrefix}-{Path.GetFileName(directory)}";
            if (Directory.Exists(Path.Combine(runcRoot, id)))
            {
                var deleted = await Exec.RunAsync(OciContainerRuntime.Runc, ["--root", runcRoot, "delete", "--force", id], null, cancellationToken);
                if (!deleted.Succeeded && Directory.Exists(Path.Combine(runcRoot, id)))
                {
                    throw new InvalidOperationException($"runc delete --force {id}: {deleted.Diagnostic}");
                }
            }

            new OciBundle(directory).Remove();
        }

        Directory.Delete(bundles, recursive: true);
    }
}
