using k8s.Models;

namespace Waylay.Control.Sources.Kubernetes;

/// <summary>
/// The local stores, one per kind and scope (a relist of one namespace replaces only that namespace's store). The
/// model builder reads them all; the reflectors each write one.
/// </summary>
internal sealed class KubernetesStores
{
    public List<ObjectStore<V1Service>> Services { get; } = [];

    public List<ObjectStore<V1EndpointSlice>> EndpointSlices { get; } = [];

    public List<ObjectStore<V1Pod>> Pods { get; } = [];

    /// <summary>Istio's custom resources by kind ("VirtualService", "Gateway"…).</summary>
    public Dictionary<string, List<ObjectStore<CustomObject>>> Istio { get; } = new(StringComparer.Ordinal);

    public static T[] All<T>(List<ObjectStore<T>> stores) => stores.Count == 1 ? stores[0].Items() : [.. stores.SelectMany(s => s.Items())];

    public CustomObject[] IstioItems(string kind) => Istio.TryGetValue(kind, out var stores) ? All(stores) : [];

    public V1Pod? FindPod(string ns, string name)
    {
        foreach (var store in Pods)
        {
            if (store.TryGet(ns, name, out var pod))
            {
                return pod;
            }
        }

        return null;
    }
}
