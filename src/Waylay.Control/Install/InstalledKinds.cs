using System.Text.Json;
using k8s;
using k8s.Models;

namespace Waylay.Control.Install;

/// <summary>
/// Each kind <c>waylay install</c> makes, with KubernetesClient's own calls to server-side apply one, list those
/// carrying a label selector, and delete one: the requests on the wire are exactly the client's.
/// </summary>
internal static class InstalledKinds
{
    /// <summary>The field manager server-side apply records as the owner of every field install sets (kubectl's is "kubectl").</summary>
    public const string FieldManager = "waylay";

    public static readonly IReadOnlyList<InstalledKind> All =
    [
        new("Namespace", false,
            (c, p, name, _, ct) => c.CoreV1.PatchNamespaceAsync(p, name, fieldManager: FieldManager, force: true, cancellationToken: ct),
            async (c, _, selector, ct) => Names((await c.CoreV1.ListNamespaceAsync(labelSelector: selector, cancellationToken: ct)).Items),
            (c, name, _, ct) => c.CoreV1.DeleteNamespaceAsync(name, cancellationToken: ct)),
        new("ServiceAccount", true,
            (c, p, name, ns, ct) => c.CoreV1.PatchNamespacedServiceAccountAsync(p, name, ns, fieldManager: FieldManager, force: true, cancellationToken: ct),
            async (c, ns, selector, ct) => Names((await c.CoreV1.ListNamespacedServiceAccountAsync(ns, labelSelector: selector, cancellationToken: ct)).Items),
            (c, name, ns, ct) => c.CoreV1.DeleteNamespacedServiceAccountAsync(name, ns, cancellationToken: ct)),
        new("ClusterRole", false,
            (c, p, name, _, ct) => c.RbacAuthorizationV1.PatchClusterRoleAsync(p, name, fieldManager: FieldManager, force: true, cancellationToken: ct),
            async (c, _, selector, ct) => Names((await c.RbacAuthorizationV1.ListClusterRoleAsync(labelSelector: selector, cancellationToken: ct)).Items),
            (c, name, _, ct) => c.RbacAuthorizationV1.DeleteClusterRoleAsync(name, cancellationToken: ct)),
        new("ClusterRoleBinding", false,
            (c, p, name, _, ct) => c.RbacAuthorizationV1.PatchClusterRoleBindingAsync(p, name, fieldManager: FieldManager, force: true, cancellationToken: ct),
            async (c, _, selector, ct) => Names((await c.RbacAuthorizationV1.ListClusterRoleBindingAsync(labelSelector: selector, cancellationToken: ct)).Items),
            (c, name, _, ct) => c.RbacAuthorizationV1.DeleteClusterRoleBindingAsync(name, cancellationToken: ct)),
        new("Secret", true,
            (c, p, name, ns, ct) => c.CoreV1.PatchNamespacedSecretAsync(p, name, ns, fieldManager: FieldManager, force: true, cancellationToken: ct),
            async (c, ns, selector, ct) => Names((await c.CoreV1.ListNamespacedSecretAsync(ns, labelSelector: selector, cancellationToken: ct)).Items),
            (c, name, ns, ct) => c.CoreV1.DeleteNamespacedSecretAsync(name, ns, cancellationToken: ct)),
        CertManager("Issuer", "issuers"),
        CertManager("Certificate", "certificates"),
        new("ConfigMap", true,
            (c, p, name, ns, ct) => c.CoreV1.PatchNamespacedConfigMapAsync(p, name, ns, fieldManager: FieldManager, force: true, cancellationToken: ct),
            async (c, ns, selector, ct) => Names((await c.CoreV1.ListNamespacedConfigMapAsync(ns, labelSelector: selector, cancellationToken: ct)).Items),
            (c, name, ns, ct) => c.CoreV1.DeleteNamespacedConfigMapAsync(name, ns, cancellationToken: ct)),
        new("Service", true,
            (c, p, name, ns, ct) => c.CoreV1.PatchNamespacedServiceAsync(p, name, ns, fieldManager: FieldManager, force: true, cancellationToken: ct),
            async (c, ns, selector, ct) => Names((await c.CoreV1.ListNamespacedServiceAsync(ns, labelSelector: selector, cancellationToken: ct)).Items),
            (c, name, ns, ct) => c.CoreV1.DeleteNamespacedServiceAsync(name, ns, cancellationToken: ct)),
        new("Deployment", true,
            (c, p, name, ns, ct) => c.AppsV1.PatchNamespacedDeploymentAsync(p, name, ns, fieldManager: FieldManager, force: true, cancellationToken: ct),
            async (c, ns, selector, ct) => Names((await c.AppsV1.ListNamespacedDeploymentAsync(ns, labelSelector: selector, cancellationToken: ct)).Items),
            (c, name, ns, ct) => c.AppsV1.DeleteNamespacedDeploymentAsync(name, ns, cancellationToken: ct)),
        new("PodDisruptionBudget", true,
            (c, p, name, ns, ct) => c.PolicyV1.PatchNamespacedPodDisruptionBudgetAsync(p, name, ns, fieldManager: FieldManager, force: true, cancellationToken: ct),
            async (c, ns, selector, ct) => Names((await c.PolicyV1.ListNamespacedPodDisruptionBudgetAsync(ns, labelSelector: selector, cancellationToken: ct)).Items),
            (c, name, ns, ct) => c.PolicyV1.DeleteNamespacedPodDisruptionBudgetAsync(name, ns, cancellationToken: ct)),
        new("MutatingWebhookConfiguration", false,
            (c, p, name, _, ct) => c.AdmissionregistrationV1.PatchMutatingWebhookConfigurationAsync(p, name, fieldManager: FieldManager, force: true, cancellationToken: ct),
            async (c, _, selector, ct) => Names((await c.AdmissionregistrationV1.ListMutatingWebhookConfigurationAsync(labelSelector: selector, cancellationToken: ct)).Items),
            (c, name, _, ct) => c.AdmissionregistrationV1.DeleteMutatingWebhookConfigurationAsync(name, cancellationToken: ct)),
    ];

    public static InstalledKind Of(string kind) =>
        All.FirstOrDefault(k => k.Kind == kind) ?? throw new InvalidOperationException($"install makes no {kind}: add it to InstalledKinds");

    private static InstalledKind CertManager(string kind, string plural) => new(kind, true,
        (c, p, name, ns, ct) => c.CustomObjects.PatchNamespacedCustomObjectAsync(p, CertManagerObject.Group, CertManagerObject.Version, ns, plural, name, fieldManager: FieldManager, force: true, cancellationToken: ct),
        async (c, ns, selector, ct) =>
        {
            var list = (JsonElement)await c.CustomObjects.ListNamespacedCustomObjectAsync(CertManagerObject.Group, CertManagerObject.Version, ns, plural, labelSelector: selector, cancellationToken: ct);
            return [.. list.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("metadata").GetProperty("name").GetString() ?? "")];
        },
        (c, name, ns, ct) => c.CustomObjects.DeleteNamespacedCustomObjectAsync(CertManagerObject.Group, CertManagerObject.Version, ns, plural, name, cancellationToken: ct));

    private static IReadOnlyList<string> Names<T>(IEnumerable<T> items) where T : IKubernetesObject<V1ObjectMeta> =>
        [.. items.Select(i => i.Metadata.Name)];
}

/// <summary>One kind's apply, list-by-label and delete; <see cref="Namespaced"/> says whether the namespace argument is used.</summary>
internal sealed record InstalledKind(
    string Kind,
    bool Namespaced,
    Func<IKubernetes, V1Patch, string, string, CancellationToken, Task> Apply,
    Func<IKubernetes, string, string, CancellationToken, Task<IReadOnlyList<string>>> List,
    Func<IKubernetes, string, string, CancellationToken, Task> Delete);
