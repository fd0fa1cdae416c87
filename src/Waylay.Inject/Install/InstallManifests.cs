using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Waylay.Inject.Annotations;
using Waylay.Inject.Values;
using Waylay.Inject.Yaml;

namespace Waylay.Inject.Install;

/// <summary>
/// What installs the webhook in a cluster (<c>waylay webhook manifests</c>, and <c>waylay install</c> with the
/// control plane): Namespace, ServiceAccount, Deployment (two replicas spread over nodes), Service, the
/// MutatingWebhookConfiguration and the PodDisruptionBudget its <c>failurePolicy: Fail</c> needs, built from
/// KubernetesClient's typed models so every field is one the API server knows. The serving certificate is expected in
/// the Secret <c>waylay-webhook-certs</c> (<c>kubectl create secret tls</c> from <c>waylay webhook certs</c>' files,
/// or made by <c>waylay install</c> or cert-manager).
/// </summary>
internal static class InstallManifests
{
    public const string Name = "waylay-webhook";
    public const string CertsSecret = "waylay-webhook-certs";
    public const string ConfigurationName = "waylay-sidecar-injector";
    public const string ValuesConfigMap = "waylay-injection-values";
    public const string ValuesFile = "values.yaml";
    public const int DefaultPort = 15017;
    private const string CertsMount = "/etc/waylay/webhook";
    private const string ValuesMount = "/etc/waylay/values";

    public static string Render(string ns, byte[]? caBundle, InjectionValues values, int webhookPort = DefaultPort) =>
        YamlWriter.Write(Objects(ns, caBundle, values, null, webhookPort).Select(o => JsonNode.Parse(KubernetesJson.Serialize(o))));

    /// <param name="valuesYaml">
    /// The injection values the webhook runs with, as a ConfigMap mounted for <c>--values</c> (its hash on the pod
    /// template, so a change rolls the pods); null runs it with the defaults and no ConfigMap.
    /// </param>
    public static IReadOnlyList<object> Objects(string ns, byte[]? caBundle, InjectionValues values, string? valuesYaml, int webhookPort = DefaultPort)
    {
        var labels = new Dictionary<string, string> { ["app"] = Name };
        var objects = new List<object>
        {
            new V1Namespace { ApiVersion = "v1", Kind = "Namespace", Metadata = new V1ObjectMeta { Name = ns } },
            new V1ServiceAccount { ApiVersion = "v1", Kind = "ServiceAccount", Metadata = Meta(ns, labels) },
        };
        if (valuesYaml is not null)
        {
            objects.Add(new V1ConfigMap
            {
                ApiVersion = "v1",
                Kind = "ConfigMap",
                Metadata = new V1ObjectMeta { Name = ValuesConfigMap, NamespaceProperty = ns, Labels = new Dictionary<string, string>(labels) },
                Data = new Dictionary<string, string> { [ValuesFile] = valuesYaml },
            });
        }

        objects.AddRange(
        [
            Deployment(ns, labels, values, valuesYaml, webhookPort),
            new V1Service
            {
                ApiVersion = "v1",
                Kind = "Service",
                Metadata = Meta(ns, labels),
                Spec = new V1ServiceSpec
                {
                    Selector = labels,
                    Ports = [new V1ServicePort { Name = "https-webhook", Port = 443, TargetPort = webhookPort, Protocol = "TCP" }],
                },
            },
            WebhookConfiguration(ns, caBundle),
            PodAvailability.Budget(Name, ns, labels),
        ]);
        return objects;
    }

    private static V1ObjectMeta Meta(string ns, IDictionary<string, string> labels) =>
        new() { Name = Name, NamespaceProperty = ns, Labels = new Dictionary<string, string>(labels) };

    private static V1Deployment Deployment(string ns, Dictionary<string, string> labels, InjectionValues values, string? valuesYaml, int port)
    {
        List<string> args = ["webhook", "--cert", $"{CertsMount}/tls.crt", "--key", $"{CertsMount}/tls.key", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        List<V1VolumeMount> mounts = [new V1VolumeMount { Name = "certs", MountPath = CertsMount, ReadOnlyProperty = true }];
        List<V1Volume> volumes = [new V1Volume { Name = "certs", Secret = new V1SecretVolumeSource { SecretName = CertsSecret } }];
        Dictionary<string, string>? annotations = null;
        if (valuesYaml is not null)
        {
            args.AddRange(["--values", $"{ValuesMount}/{ValuesFile}"]);
            mounts.Add(new V1VolumeMount { Name = "values", MountPath = ValuesMount, ReadOnlyProperty = true });
            volumes.Add(new V1Volume { Name = "values", ConfigMap = new V1ConfigMapVolumeSource { Name = ValuesConfigMap } });
            // The webhook reads its values once at start: a changed ConfigMap must roll the pods.
            var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(valuesYaml)));
            annotations = new Dictionary<string, string> { ["waylay.io/values-sha256"] = hash };
        }

        // The webhook never injects itself: its pods opt out, and its namespace carries no injection label.
        var podLabels = new Dictionary<string, string>(labels) { [AnnotationNames.Inject.Waylay] = "false" };
        var probe = new V1Probe
        {
            HttpGet = new V1HTTPGetAction { Path = "/healthz", Port = port, Scheme = "HTTPS" },
            PeriodSeconds = 5,
        };
        return new V1Deployment
        {
            ApiVersion = "apps/v1",
            Kind = "Deployment",
            Metadata = Meta(ns, labels),
            Spec = new V1DeploymentSpec
            {
                Replicas = 2,
                Selector = new V1LabelSelector { MatchLabels = labels },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = podLabels, Annotations = annotations },
                    Spec = new V1PodSpec
                    {
                        ServiceAccountName = Name,
                        Affinity = PodAvailability.SpreadOverNodes(labels),
                        Containers =
                        [
                            new V1Container
                            {
                                Name = "webhook",
                                Image = values.Image,
                                ImagePullPolicy = values.ImagePullPolicy,
                                Args = args,
                                Ports = [new V1ContainerPort { Name = "https-webhook", ContainerPort = port, Protocol = "TCP" }],
                                ReadinessProbe = probe,
                                LivenessProbe = probe,
                                Resources = new V1ResourceRequirements
                                {
                                    Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("50m"), ["memory"] = new("64Mi") },
                                    // A memory limit bounds a leak; no CPU limit, which would only throttle admission under load.
                                    Limits = new Dictionary<string, ResourceQuantity> { ["memory"] = new("256Mi") },
                                },
                                SecurityContext = RestrictedContainer.SecurityContext(),
                                VolumeMounts = mounts,
                            },
                        ],
                        Volumes = volumes,
                    },
                },
            },
        };
    }

    /// <summary>
    /// Four webhooks because a label selector cannot say "A or B", and no pod may match two of them:
    /// <code>
    /// namespace label                      pod label                         webhook
    /// waylay-injection=enabled             not inject=false                  namespace.…
    /// istio-injection=enabled (no waylay)  not inject=false                  istio-namespace.…
    /// neither label                        sidecar.waylay.io/inject=true     object.…        (Istio's object selector)
    /// neither label                        sidecar.istio.io/inject=true      istio-object.… (no waylay label)
    /// </code>
    /// A namespace labelled …-injection=disabled gets nothing. The annotation opt-out is honoured by the handler.
    /// </summary>
    private static V1MutatingWebhookConfiguration WebhookConfiguration(string ns, byte[]? caBundle)
    {
        var label = AnnotationNames.NamespaceInjection;
        V1MutatingWebhook Hook(string name, IList<V1LabelSelectorRequirement> namespaceSelector, IList<V1LabelSelectorRequirement>? objectSelector = null) => new()
        {
            Name = name,
            AdmissionReviewVersions = ["v1"],
            ClientConfig = new Admissionregistrationv1WebhookClientConfig
            {
                Service = new Admissionregistrationv1ServiceReference { Name = Name, NamespaceProperty = ns, Path = "/inject", Port = 443 },
                CaBundle = caBundle,
            },
            Rules = [new V1RuleWithOperations { ApiGroups = [""], ApiVersions = ["v1"], Operations = ["CREATE"], Resources = ["pods"], Scope = "Namespaced" }],
            FailurePolicy = "Fail",
            MatchPolicy = "Equivalent",
            SideEffects = "None",
            TimeoutSeconds = 10,
            ReinvocationPolicy = "Never",
            NamespaceSelector = new V1LabelSelector { MatchExpressions = namespaceSelector },
            ObjectSelector = new V1LabelSelector
            {
                MatchExpressions = objectSelector ??
                [
                    new V1LabelSelectorRequirement { Key = AnnotationNames.Inject.Waylay, OperatorProperty = "NotIn", Values = ["false"] },
                    new V1LabelSelectorRequirement { Key = AnnotationNames.Inject.Istio, OperatorProperty = "NotIn", Values = ["false"] },
                ],
            },
        };

        V1LabelSelectorRequirement[] NoNamespaceLabel() =>
        [
            new V1LabelSelectorRequirement { Key = label.Waylay, OperatorProperty = "DoesNotExist" },
            new V1LabelSelectorRequirement { Key = label.Istio, OperatorProperty = "DoesNotExist" },
        ];

        return new V1MutatingWebhookConfiguration
        {
            ApiVersion = "admissionregistration.k8s.io/v1",
            Kind = "MutatingWebhookConfiguration",
            Metadata = new V1ObjectMeta { Name = ConfigurationName, Labels = new Dictionary<string, string> { ["app"] = Name } },
            Webhooks =
            [
                Hook("namespace.sidecar-injector.waylay.io",
                [
                    new V1LabelSelectorRequirement { Key = label.Waylay, OperatorProperty = "In", Values = ["enabled"] },
                ]),
                Hook("istio-namespace.sidecar-injector.waylay.io",
                [
                    new V1LabelSelectorRequirement { Key = label.Istio, OperatorProperty = "In", Values = ["enabled"] },
                    new V1LabelSelectorRequirement { Key = label.Waylay, OperatorProperty = "DoesNotExist" },
                ]),
                Hook("object.sidecar-injector.waylay.io", NoNamespaceLabel(),
                [
                    new V1LabelSelectorRequirement { Key = AnnotationNames.Inject.Waylay, OperatorProperty = "In", Values = ["true"] },
                ]),
                Hook("istio-object.sidecar-injector.waylay.io", NoNamespaceLabel(),
                [
                    new V1LabelSelectorRequirement { Key = AnnotationNames.Inject.Istio, OperatorProperty = "In", Values = ["true"] },
                    new V1LabelSelectorRequirement { Key = AnnotationNames.Inject.Waylay, OperatorProperty = "DoesNotExist" },
                ]),
            ],
        };
    }

    /// <summary>Reads a PEM CA bundle for the caBundle field; the message names the file and the fix.</summary>
    public static byte[] ReadCaBundle(string path)
    {
        if (!File.Exists(path))
        {
            throw new ManifestException($"{path}: no such file; pass the ca.crt that 'waylay webhook certs --out DIR' wrote.");
        }

        var bytes = File.ReadAllBytes(path);
        if (!System.Text.Encoding.ASCII.GetString(bytes).Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
        {
            throw new ManifestException($"{path}: not a PEM certificate; pass the ca.crt that 'waylay webhook certs --out DIR' wrote.");
        }

        return bytes;
    }
}
