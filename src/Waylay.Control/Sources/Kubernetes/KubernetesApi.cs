using k8s;
using k8s.Models;

namespace Waylay.Control.Sources.Kubernetes;

/// <summary>
/// The kinds the Kubernetes source watches, each as a <see cref="ResourceKind{T}"/> over KubernetesClient's own
/// calls: core Services and Pods, discovery.k8s.io EndpointSlices, and Istio's networking.istio.io/v1 custom
/// resources as JSON (KubernetesHttp.cs, which also makes every watch) (VirtualService and DestinationRule are applied; Gateway and
/// ServiceEntry are watched only to be counted and named as not implemented).
/// </summary>
internal static class KubernetesApi
{
    public const string IstioGroup = "networking.istio.io";
    public const string IstioVersion = "v1";

    /// <summary>
    /// The built-in collections <see cref="Services"/>, <see cref="EndpointSlices"/> and <see cref="Pods"/> read, as
    /// (API group, plural): what the install's ClusterRole grants (Install/ControlManifests.cs). A test runs the source
    /// against a recorded API server and checks the grant against the paths it actually requested.
    /// </summary>
    public static readonly (string Group, string Plural)[] BuiltInCollections =
    [
        ("", "services"),
        ("discovery.k8s.io", "endpointslices"),
        ("", "pods"),
    ];

    /// <summary>The Istio kinds watched: (kind, plural). Order is the order of the status lines.</summary>
    public static readonly (string Kind, string Plural)[] IstioKinds =
    [
        ("VirtualService", "virtualservices"),
        ("DestinationRule", "destinationrules"),
        ("Sidecar", "sidecars"),
        ("Gateway", "gateways"),
        ("ServiceEntry", "serviceentries"),
    ];

    public static ResourceKind<V1Service> Services(k8s.Kubernetes client, string? ns) => new(
        "Service",
        ns,
        async ct =>
        {
            var list = ns is null
                ? await client.CoreV1.ListServiceForAllNamespacesAsync(cancellationToken: ct).ConfigureAwait(false)
                : await client.CoreV1.ListNamespacedServiceAsync(ns, cancellationToken: ct).ConfigureAwait(false);
            return new ResourceList<V1Service>([.. list.Items], list.Metadata?.ResourceVersion ?? "");
        },
        (rv, timeout, onError, ct) => KubernetesHttp.WatchAsync(client, Path("/api/v1", ns, "services"), rv, timeout, KubernetesHttp.Read<V1Service>, onError, ct),
        s => Meta(s.Metadata));

    public static ResourceKind<V1EndpointSlice> EndpointSlices(k8s.Kubernetes client, string? ns) => new(
        "EndpointSlice",
        ns,
        async ct =>
        {
            var list = ns is null
                ? await client.DiscoveryV1.ListEndpointSliceForAllNamespacesAsync(cancellationToken: ct).ConfigureAwait(false)
                : await client.DiscoveryV1.ListNamespacedEndpointSliceAsync(ns, cancellationToken: ct).ConfigureAwait(false);
            return new ResourceList<V1EndpointSlice>([.. list.Items], list.Metadata?.ResourceVersion ?? "");
        },
        (rv, timeout, onError, ct) => KubernetesHttp.WatchAsync(client, Path("/apis/discovery.k8s.io/v1", ns, "endpointslices"), rv, timeout, KubernetesHttp.Read<V1EndpointSlice>, onError, ct),
        s => Meta(s.Metadata));

    public static ResourceKind<V1Pod> Pods(k8s.Kubernetes client, string? ns) => new(
        "Pod",
        ns,
        async ct =>
        {
            var list = ns is null
                ? await client.CoreV1.ListPodForAllNamespacesAsync(cancellationToken: ct).ConfigureAwait(false)
                : await client.CoreV1.ListNamespacedPodAsync(ns, cancellationToken: ct).ConfigureAwait(false);
            return new ResourceList<V1Pod>([.. list.Items], list.Metadata?.ResourceVersion ?? "");
        },
        (rv, timeout, onError, ct) => KubernetesHttp.WatchAsync(client, Path("/api/v1", ns, "pods"), rv, timeout, KubernetesHttp.Read<V1Pod>, onError, ct),
        s => Meta(s.Metadata));

    public static ResourceKind<CustomObject> Istio(k8s.Kubernetes client, string kind, string plural, string? ns)
    {
        const string apiVersion = IstioGroup + "/" + IstioVersion;
        var path = Path($"/apis/{IstioGroup}/{IstioVersion}", ns, plural);
        return new(
            kind,
            ns,
            async ct => CustomObject.ListFrom(await KubernetesHttp.GetJsonAsync(client, path, ct).ConfigureAwait(false), kind, apiVersion),
            (rv, timeout, onError, ct) => KubernetesHttp.WatchAsync(client, path, rv, timeout, o => CustomObject.From(o, kind, apiVersion), onError, ct),
            o => o.Meta);
    }

    /// <summary>A collection's path: <c>{prefix}/namespaces/{ns}/{plural}</c>, or <c>{prefix}/{plural}</c> across all namespaces.</summary>
    private static string Path(string prefix, string? ns, string plural) =>
        ns is null ? $"{prefix}/{plural}" : $"{prefix}/namespaces/{Uri.EscapeDataString(ns)}/{plural}";

    private static ObjectMeta Meta(V1ObjectMeta? metadata) =>
        new(metadata?.NamespaceProperty ?? "", metadata?.Name ?? "", metadata?.ResourceVersion);
}
