using k8s;

namespace Waylay.Control.Install;

/// <summary>
/// <c>waylay uninstall</c>: deletes what an install into one namespace made, found by its labels
/// (<see cref="InstallLabels.Selector"/>), never by name alone: an object install did not make stays, and so do the
/// namespaces users labelled for injection. The webhook configuration goes first (no pod creation is refused while
/// the webhook goes away), the namespace last and only when install made it.
/// </summary>
internal static class ClusterUninstaller
{
    public static Task<IReadOnlyList<string>> DeleteAsync(
        IKubernetes client, string ns, bool dryRun, Action<string> report, CancellationToken cancellationToken) =>
        DeleteAsync(client, ns, new HashSet<string>(StringComparer.Ordinal), dryRun, report, cancellationToken);

    /// <summary>
    /// Deletes the install's objects except those <paramref name="keep"/> names ("Kind ns/name", "Kind name"): all of
    /// them for uninstall, and after an install what it made before and makes no more (a switch to or from cert-manager).
    /// </summary>
    public static async Task<IReadOnlyList<string>> DeleteAsync(
        IKubernetes client, string ns, IReadOnlySet<string> keep, bool dryRun, Action<string> report, CancellationToken cancellationToken)
    {
        var selector = InstallLabels.Selector(ns);
        var deleted = new List<string>();
        var verb = dryRun ? "would delete" : "deleted";
        var step = "listing";
        try
        {
            foreach (var kind in InstalledKinds.All.Reverse())
            {
                IReadOnlyList<string> names;
                step = $"listing {kind.Kind}s";
                try
                {
                    names = await kind.List(client, ns, selector, cancellationToken);
                }
                catch (Exception e) when (ClusterErrors.IsNotFound(e))
                {
                    // The kind is not served (cert-manager's CRDs absent; or the namespace is gone): nothing of it to delete.
                    continue;
                }

                foreach (var name in names)
                {
                    var what = kind.Namespaced ? $"{kind.Kind} {ns}/{name}" : $"{kind.Kind} {name}";
                    if (keep.Contains(what))
                    {
                        continue;
                    }

                    step = $"deleting {what}";
                    if (!dryRun)
                    {
                        try
                        {
                            await kind.Delete(client, name, ns, cancellationToken);
                        }
                        catch (Exception e) when (ClusterErrors.IsNotFound(e))
                        {
                            continue; // gone meanwhile (a namespace's deletion took it): what uninstall wanted
                        }
                    }

                    deleted.Add(what);
                    report($"{verb} {what}");
                }
            }

            return deleted;
        }
        catch (Exception e) when (ClusterErrors.IsExpected(e))
        {
            var done = deleted.Count == 0 ? "nothing was deleted" : $"{verb} before it: {string.Join(", ", deleted)}";
            throw new InstallException($"uninstall: {step} failed: {ClusterErrors.Describe(e)}; {done}; run uninstall again once the cause is fixed", e);
        }
    }
}
