using System.Globalization;
using k8s;
using k8s.Models;
using Waylay.Control.Sources.Kubernetes;

namespace Waylay.Control.Install;

/// <summary>
/// What installs the control plane in a cluster (<c>waylay control manifests</c>): Namespace, ServiceAccount, the
/// least RBAC its Kubernetes source needs (list and watch of exactly the kinds it watches: no get, no write),
/// Deployment (two replicas spread over nodes, each a full control plane: a sidecar's stream reconnects to the other
/// one), its PodDisruptionBudget and the Service <c>waylay-control</c> (15010 discovery, 15014 debug): the injector's
/// default <c>--discoveryAddress</c>, <c>waylay-control.waylay-system:15010</c>. Built from KubernetesClient's typed
/// models, so every field is one the API server knows.
/// </summary>
internal static class ControlManifests
{
    public const string Name = "waylay-control";
    public const ushort DiscoveryPort = 15010;

    public static IReadOnlyList<object> Objects(string ns, string image, string imagePullPolicy, ushort port = 15010, ushort debugPort = 15014)
    {
        var labels = new Dictionary<string, string> { ["app"] = Name };
        return
        [
            new V1Namespace { ApiVersion = "v1", Kind = "Namespace", Metadata = new V1ObjectMeta { Name = ns } },
            new V1ServiceAccount { ApiVersion = "v1", Kind = "ServiceAccount", Metadata = Meta(ns, labels) },
            new V1ClusterRole
            {
                ApiVersion = "rbac.authorization.k8s.io/v1",
                Kind = "ClusterRole",
                Metadata = new V1ObjectMeta { Name = Name, Labels = labels },
                // Exactly what the Kubernetes source lists and watches (Sources/Kubernetes/KubernetesApi.cs), per group.
                Rules =
                [
                    .. KubernetesApi.BuiltInCollections.GroupBy(c => c.Group).Select(g => Read(g.Key, [.. g.Select(c => c.Plural)])),
                    Read(KubernetesApi.IstioGroup, [.. KubernetesApi.IstioKinds.Select(k => k.Plural)]),
                ],
            },
            new V1ClusterRoleBinding
            {
                ApiVersion = "rbac.authorization.k8s.io/v1",
                Kind = "ClusterRoleBinding",
                Metadata = new V1ObjectMeta { Name = Name, Labels = labels },
                RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "ClusterRole", Name = Name },
                Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = Name, NamespaceProperty = ns }],
            },
            Deployment(ns, labels, image, imagePullPolicy, port, debugPort),
            new V1Service
            {
                ApiVersion = "v1",
                Kind = "Service",
                Metadata = Meta(ns, labels),
                Spec = new V1ServiceSpec
                {
                    Selector = labels,
                    Ports =
                    [
                        new V1ServicePort { Name = "grpc-xds", Port = port, TargetPort = port, Protocol = "TCP" },
                        new V1ServicePort { Name = "http-monitoring", Port = debugPort, TargetPort = debugPort, Protocol = "TCP" },
                    ],
                },
            },
            Waylay.Inject.Install.PodAvailability.Budget(Name, ns, labels),
        ];
    }

    public static string Render(string ns, string image, string imagePullPolicy) =>
        string.Join("---\n", Objects(ns, image, imagePullPolicy).Select(o => KubernetesYamlText.Serialize(o).TrimEnd() + "\n"));

    private static V1PolicyRule Read(string group, params string[] resources) =>
        new() { ApiGroups = [group], Resources = resources, Verbs = ["list", "watch"] };

    private static V1ObjectMeta Meta(string ns, IDictionary<string, string> labels) =>
        new() { Name = Name, NamespaceProperty = ns, Labels = new Dictionary<string, string>(labels) };

    private static V1Deployment Deployment(string ns, Dictionary<string, string> labels, string image, string pullPolicy, ushort port, ushort debugPort)
    {
        // The control plane never gets a sidecar: proxies would need it to learn where to send its own traffic.
        var podLabels = new Dictionary<string, string>(labels) { ["sidecar.istio.io/inject"] = "false", ["sidecar.waylay.io/inject"] = "false" };
        string Text(ushort value) => value.ToString(CultureInfo.InvariantCulture);
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
                    Metadata = new V1ObjectMeta { Labels = podLabels },
                    Spec = new V1PodSpec
                    {
                        ServiceAccountName = Name,
                        Affinity = Waylay.Inject.Install.PodAvailability.SpreadOverNodes(labels),
                        Containers =
                        [
                            new V1Container
                            {
                                Name = "control",
                                Image = image,
                                ImagePullPolicy = pullPolicy,
                                Args = ["control", "--in-cluster", "--port", Text(port), "--debug-port", Text(debugPort)],
                                Ports =
                                [
                                    new V1ContainerPort { Name = "grpc-xds", ContainerPort = port, Protocol = "TCP" },
                                    new V1ContainerPort { Name = "http-monitoring", ContainerPort = debugPort, Protocol = "TCP" },
                                ],
                                ReadinessProbe = new V1Probe { HttpGet = new V1HTTPGetAction { Path = "/ready", Port = debugPort }, PeriodSeconds = 5 },
                                Resources = new V1ResourceRequirements
                                {
                                    Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("100m"), ["memory"] = new("128Mi") },
                                    // Memory grows with the mesh (399 MB for 1,000 proxies, docs/benchmarks.md); the
                                    // limit bounds a leak. No CPU limit: throttling would only delay pushes.
                                    Limits = new Dictionary<string, ResourceQuantity> { ["memory"] = new("1Gi") },
                                },
                                SecurityContext = Waylay.Inject.Install.RestrictedContainer.SecurityContext(),
                            },
                        ],
                    },
                },
            },
        };
    }
}
