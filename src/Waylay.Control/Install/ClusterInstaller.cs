using k8s;
using k8s.Models;
using Waylay.Inject.Install;
using Waylay.Inject.Webhook;

namespace Waylay.Control.Install;

/// <summary>
/// <c>waylay install --apply</c>: puts <see cref="ClusterManifests"/> in the cluster with server-side apply, one object
/// at a time in dependency order, so running it twice changes nothing and a changed install converges.
/// <code>
/// :: Step 1  the namespace: one that exists without install's labels is the user's: used, never relabelled or deleted
/// :: Step 2  the webhook's pair: a current one in the cluster is kept (see WebhookServing.IsCurrent), else generated
/// :: Step 3  every object applied (PATCH, application/apply-patch+yaml, fieldManager=waylay, force); the first refusal
///            stops it, and the exception names what was applied and how to remove it
/// :: Step 4  before the MutatingWebhookConfiguration: a webhook replica available (its failurePolicy is Fail, so a
///            configuration registered before the webhook serves would refuse every pod in labelled namespaces)
/// :: Step 5  what an earlier install made and this one does not (cert-manager's resources after a switch away from
///            --cert-manager, and the reverse) deleted by its labels, so the cluster holds exactly this install
/// </code>
/// </summary>
internal static class ClusterInstaller
{
    public static async Task<IReadOnlyList<string>> ApplyAsync(
        IKubernetes client, InstallOptions options, TimeProvider time, Action<string> report, string undo, CancellationToken cancellationToken)
    {
        var ns = options.Namespace;
        var applied = new List<string>();
        IKubernetesObject<V1ObjectMeta>? current = null;
        try
        {
            // :: Step 1
            var userNamespace = await ReadAsync(() => client.CoreV1.ReadNamespaceAsync(ns, cancellationToken: cancellationToken)) is { } existing
                && !InstallLabels.IsInstalled(existing.Metadata.Labels, ns);
            if (userNamespace)
            {
                report($"kept Namespace {ns}: it exists and install did not make it (uninstall leaves it)");
            }

            // :: Step 2
            WebhookCertificateSet? certificates = null;
            if (!options.CertManager)
            {
                var secret = await ReadAsync(() => client.CoreV1.ReadNamespacedSecretAsync(InstallManifests.CertsSecret, ns, cancellationToken: cancellationToken));
                certificates = secret is not null && InstallLabels.IsInstalled(secret.Metadata.Labels, ns) && WebhookServing.Read(secret) is { } kept
                    && WebhookServing.IsCurrent(kept, ns, time.GetUtcNow(), options.RenewBefore)
                    ? kept
                    : WebhookCertificates.Generate(InstallManifests.Name, ns, [], time, options.CertificateValidity);
            }

            // :: Step 3
            var objects = ClusterManifests.Build(options, certificates);
            foreach (var o in objects)
            {
                if (o is V1Namespace && userNamespace)
                {
                    continue;
                }

                current = o;
                if (o is V1MutatingWebhookConfiguration)
                {
                    // :: Step 4
                    report($"waiting for Deployment {ns}/{InstallManifests.Name} to have an available replica");
                    await WaitForWebhookAsync(client, options, time, cancellationToken);
                }

                var kind = InstalledKinds.Of(o.Kind);
                await kind.Apply(client, new V1Patch(o, V1Patch.PatchType.ApplyPatch), o.Metadata.Name, o.Metadata.NamespaceProperty ?? "", cancellationToken);
                var what = ClusterManifests.Describe(o);
                applied.Add(what);
                report($"applied {what}");
            }

            // :: Step 5 — the Secrets cert-manager writes carry install's labels (secretTemplate) and stay with it.
            current = null;
            var keep = objects.Select(ClusterManifests.Describe).Concat(options.CertManager ? WebhookServing.CertManagerSecrets(ns) : []).ToHashSet(StringComparer.Ordinal);
            try
            {
                await ClusterUninstaller.DeleteAsync(client, ns, keep, dryRun: false, what => report($"removed {what.Replace("deleted ", "", StringComparison.Ordinal)} (no longer installed)"), cancellationToken);
            }
            catch (InstallException e)
            {
                throw new InstallException($"install: everything was applied, but removing what this install no longer makes failed ({e.Message}); run install again once the cause is fixed", e);
            }

            return applied;
        }
        catch (WebhookNotReadyException e)
        {
            throw new InstallException($"install: {e.Message}; the webhook configuration was not applied, so no pod creation is refused by it; applied: {string.Join(", ", applied)}; remove them with: {undo}", e);
        }
        catch (Exception e) when (ClusterErrors.IsExpected(e))
        {
            var failed = current is null ? $"reading Namespace {ns}" : $"applying {ClusterManifests.Describe(current)}";
            var hint = current is CertManagerObject && ClusterErrors.IsNotFound(e)
                ? " (cert-manager is not installed: install it first, or run without --cert-manager)"
                : "";
            var done = applied.Count == 0 ? "nothing was applied" : $"applied before it: {string.Join(", ", applied)}; remove them with: {undo}";
            throw new InstallException($"install: {failed} failed: {ClusterErrors.Describe(e)}{hint}; {done}", e);
        }
    }

    private static async Task WaitForWebhookAsync(IKubernetes client, InstallOptions options, TimeProvider time, CancellationToken cancellationToken)
    {
        var ns = options.Namespace;
        var deadline = time.GetUtcNow() + options.WebhookReadyTimeout;
        while (true)
        {
            var deployment = await client.AppsV1.ReadNamespacedDeploymentAsync(InstallManifests.Name, ns, cancellationToken: cancellationToken);
            if (deployment.Status?.AvailableReplicas is > 0)
            {
                return;
            }

            if (time.GetUtcNow() >= deadline)
            {
                throw new WebhookNotReadyException(
                    $"Deployment {ns}/{InstallManifests.Name} had no available replica after {Mesh.GoDuration.Format(options.WebhookReadyTimeout)} " +
                    $"(see: kubectl -n {ns} describe deployment {InstallManifests.Name}; its image must run 'waylay webhook')");
            }

            await Task.Delay(options.WebhookReadyPoll, time, cancellationToken);
        }
    }

    private sealed class WebhookNotReadyException(string message) : Exception(message);

    private static async Task<T?> ReadAsync<T>(Func<Task<T>> read) where T : class
    {
        try
        {
            return await read();
        }
        catch (Exception e) when (ClusterErrors.IsNotFound(e))
        {
            return null;
        }
    }
}
