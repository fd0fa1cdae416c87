using System.Runtime.CompilerServices;
using System.Text.Json;
using k8s;
using k8s.Models;

namespace Waylay.Control.Sources.Kubernetes;

/// <summary>
/// The kinds the Kubernetes source watches, each as a <see cref="ResourceKind{T}"/> over KubernetesClient's own
/// calls: core Services and Pods, discovery.k8s.io EndpointSlices, and Istio's networking.istio.io/v1 custom
/// resources through the CustomObjects API (VirtualService and DestinationRule are applied; Gateway and
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

    public static ResourceKind<V1Service> Services(IKubernetes client, string? ns) => new(
        "Service",
        ns,
        async ct =>
        {
            var list = ns is null
                ? await client.CoreV1.ListServiceForAllNamespacesAsync(cancellationToken: ct).ConfigureAwait(false)
                : await client.CoreV1.ListNamespacedServiceAsync(ns, cancellationToken: ct).ConfigureAwait(false);
            return new ResourceList<V1Service>([.. list.Items], list.Metadata?.ResourceVersion ?? "");
        },
        (rv, timeout, onError, ct) => ns is null
            ? client.CoreV1.WatchListServiceForAllNamespacesAsync(allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: timeout, onError: onError, cancellationToken: ct)
            : client.CoreV1.WatchListNamespacedServiceAsync(ns, allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: timeout, onError: onError, cancellationToken: ct),
        s => Meta(s.Metadata));

    public static ResourceKind<V1EndpointSlice> EndpointSlices(IKubernetes client, string? ns) => new(
        "EndpointSlice",
        ns,
        async ct =>
        {
            var list = ns is null
                ? await client.DiscoveryV1.ListEndpointSliceForAllNamespacesAsync(cancellationToken: ct).ConfigureAwait(false)
                : await client.DiscoveryV1.ListNamespacedEndpointSliceAsync(ns, cancellationToken: ct).ConfigureAwait(false);
            return new ResourceList<V1EndpointSlice>([.. list.Items], list.Metadata?.ResourceVersion ?? "");
        },
        (rv, timeout, onError, ct) => ns is null
            ? client.DiscoveryV1.WatchListEndpointSliceForAllNamespacesAsync(allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: timeout, onError: onError, cancellationToken: ct)
            : client.DiscoveryV1.WatchListNamespacedEndpointSliceAsync(ns, allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: timeout, onError: onError, cancellationToken: ct),
        s => Meta(s.Metadata));

    public static ResourceKind<V1Pod> Pods(IKubernetes client, string? ns) => new(
        "Pod",
        ns,
        async ct =>
        {
            var list = ns is null
                ? await client.CoreV1.ListPodForAllNamespacesAsync(cancellationToken: ct).ConfigureAwait(false)
                : await client.CoreV1.ListNamespacedPodAsync(ns, cancellationToken: ct).ConfigureAwait(false);
            return new ResourceList<V1Pod>([.. list.Items], list.Metadata?.ResourceVersion ?? "");
        },
        (rv, timeout, onError, ct) => ns is null
            ? client.CoreV1.WatchListPodForAllNamespacesAsync(allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: timeout, onError: onError, cancellationToken: ct)
            : client.CoreV1.WatchListNamespacedPodAsync(ns, allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: timeout, onError: onError, cancellationToken: ct),
        s => Meta(s.Metadata));

    public static ResourceKind<CustomObject> Istio(IKubernetes client, string kind, string plural, string? ns)
    {
        const string apiVersion = IstioGroup + "/" + IstioVersion;
        return new(
            kind,
            ns,
            async ct =>
            {
                var list = ns is null
                    ? await client.CustomObjects.ListCustomObjectForAllNamespacesAsync(IstioGroup, IstioVersion, plural, cancellationToken: ct).ConfigureAwait(false)
                    : await client.CustomObjects.ListNamespacedCustomObjectAsync(IstioGroup, IstioVersion, ns, plural, cancellationToken: ct).ConfigureAwait(false);
                return CustomObject.ListFrom((JsonElement)list, kind, apiVersion);
            },
            (rv, timeout, onError, ct) => Typed(ns is null
                ? client.CustomObjects.WatchListCustomObjectForAllNamespacesAsync(IstioGroup, IstioVersion, plural, allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: timeout, onError: onError, cancellationToken: ct)
                : client.CustomObjects.WatchListNamespacedCustomObjectAsync(IstioGroup, IstioVersion, ns, plural, allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: timeout, onError: onError, cancellationToken: ct),
                kind, apiVersion, ct),
            o => o.Meta);
    }

    private static async IAsyncEnumerable<(WatchEventType, CustomObject)> Typed(
        IAsyncEnumerable<(WatchEventType, object)> events, string kind, string apiVersion, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var (type, item) in events.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            yield return (type, CustomObject.From((JsonElement)item, kind, apiVersion));
        }
    }

    private static ObjectMeta Meta(V1ObjectMeta? metadata) =>
        new(metadata?.NamespaceProperty ?? "", metadata?.Name ?? "", metadata?.ResourceVersion);
}
