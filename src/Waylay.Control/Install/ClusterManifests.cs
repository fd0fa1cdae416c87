using System.Text;
using k8s;
using k8s.Models;
using Waylay.Inject.Install;
using Waylay.Inject.Values;
using Waylay.Inject.Webhook;
using Waylay.Inject.Yaml;

using Waylay.Control.Sources.Kubernetes;

namespace Waylay.Control.Install;

/// <summary>
/// Everything <c>waylay install</c> puts in a cluster, in the order it is applied: the control plane's objects
/// (ControlManifests.cs) and the webhook's (src/Waylay.Inject/Install/InstallManifests.cs), the webhook's
/// certificates (WebhookServing.cs) and the injection values the webhook gives every pod: the same image, and the
/// control plane's address in this namespace. Every object carries <see cref="InstallLabels"/>.
/// </summary>
internal static class ClusterManifests
{
    /// <summary>Dependency order: what a later object names exists first; the webhook configuration goes last, once what it calls is there.</summary>
    private static readonly string[] Order =
    [
        "Namespace", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Secret", "Issuer", "Certificate", "ConfigMap",
        "Service", "Deployment", "PodDisruptionBudget", "MutatingWebhookConfiguration",
    ];

    /// <param name="certificates">The webhook's pair (generated mode); ignored with cert-manager.</param>
    public static IReadOnlyList<IKubernetesObject<V1ObjectMeta>> Build(InstallOptions options, WebhookCertificateSet? certificates)
    {
        var ns = options.Namespace;
        var values = InjectionValues.Default with
        {
            Image = options.Image,
            ImagePullPolicy = options.ImagePullPolicy,
            DiscoveryAddress = $"{ControlManifests.Name}.{ns}:{ControlManifests.DiscoveryPort}",
        };
        var valuesYaml = YamlWriter.Write([InjectionValuesWriter.ToJson(values)]);
        var caBundle = options.CertManager || certificates is null ? null : Encoding.ASCII.GetBytes(certificates.CaPem);

        var objects = new List<IKubernetesObject<V1ObjectMeta>>();
        objects.AddRange(ControlManifests.Objects(ns, options.Image, options.ImagePullPolicy).Cast<IKubernetesObject<V1ObjectMeta>>());
        objects.AddRange(InstallManifests.Objects(ns, caBundle, values, valuesYaml).Cast<IKubernetesObject<V1ObjectMeta>>().Where(o => o is not V1Namespace));
        var labels = InstallLabels.For(ns);
        if (options.CertManager)
        {
            objects.AddRange(WebhookServing.CertManager(ns, labels));
            var configuration = objects.OfType<V1MutatingWebhookConfiguration>().Single();
            configuration.Metadata.Annotations = new Dictionary<string, string> { [WebhookServing.InjectCaFrom] = WebhookServing.CaSource(ns) };
        }
        else if (certificates is not null)
        {
            objects.Add(WebhookServing.Secret(ns, certificates));
        }

        foreach (var o in objects)
        {
            // A new dictionary: the builders share one between an object's labels and a selector, which must not change.
            var merged = new Dictionary<string, string>(o.Metadata.Labels ?? new Dictionary<string, string>(), StringComparer.Ordinal);
            foreach (var (key, value) in labels)
            {
                merged[key] = value;
            }

            o.Metadata.Labels = merged;
        }

        // A stable sort: within a kind, the control plane's before the webhook's, as built.
        return [.. objects.Select((o, i) => (o, i)).OrderBy(x => Array.IndexOf(Order, x.o.Kind)).ThenBy(x => x.i).Select(x => x.o)];
    }

    /// <summary>
    /// What <c>waylay install</c> prints: a freshly generated webhook pair (or the cert-manager resources), so the
    /// stream applies as it is.
    /// </summary>
    public static string Print(InstallOptions options, TimeProvider time) => Render(Build(options, options.CertManager
        ? null
        : WebhookCertificates.Generate(InstallManifests.Name, options.Namespace, [], time, options.CertificateValidity)));

    /// <summary>The YAML stream, one document per object, for <c>kubectl apply -f -</c>.</summary>
    public static string Render(IEnumerable<IKubernetesObject<V1ObjectMeta>> objects) =>
        string.Join("---\n", objects.Select(o => KubernetesYamlText.Serialize(o).TrimEnd() + "\n"));

    /// <summary>"Kind namespace/name" or "Kind name", as reports name an object.</summary>
    public static string Describe(IKubernetesObject<V1ObjectMeta> o) =>
        o.Metadata.NamespaceProperty is { } ns ? $"{o.Kind} {ns}/{o.Metadata.Name}" : $"{o.Kind} {o.Metadata.Name}";
}
