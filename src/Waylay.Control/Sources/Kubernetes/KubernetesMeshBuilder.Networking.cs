using Waylay.Mesh.Networking;

namespace Waylay.Control.Sources.Kubernetes;

internal static partial class KubernetesMeshBuilder
{
    /// <summary>
    /// Each VirtualService and DestinationRule goes through <see cref="NetworkingReader"/> on its own, so one invalid
    /// resource is left out (named, with the reader's errors) instead of failing all routing. Resources are then
    /// accepted oldest first (creationTimestamp, then namespace/name), as Istio prefers the oldest of two rules for
    /// one host; a later one that <see cref="NetworkingValidator"/> refuses next to those accepted is left out with its
    /// reason. Sidecars are checked here and applied per proxy by the registry. Gateways and ServiceEntries are not
    /// implemented: each is counted and named.
    /// </summary>
    public static NetworkingConfig BuildNetworking(KubernetesStores stores, List<IgnoredResource> ignored, List<CustomObject>? accepted = null)
    {
        var candidates = new List<(CustomObject Object, NetworkingConfig Config)>();
        foreach (var kind in (string[])["VirtualService", "DestinationRule"])
        {
            foreach (var item in stores.IstioItems(kind))
            {
                var (config, errors) = NetworkingReader.TryRead(item.Json, item.Namespace.Length > 0 ? item.Namespace : "default");
                if (config is null)
                {
                    ignored.Add(new IgnoredResource(kind, $"{item.Namespace}/{item.Name}", string.Join("; ", errors)));
                }
                else
                {
                    candidates.Add((item, config));
                }
            }
        }

        candidates.Sort((a, b) =>
        {
            var byAge = Nullable.Compare(a.Object.Created, b.Object.Created);
            return byAge != 0 ? byAge : string.CompareOrdinal(a.Object.Meta.Key, b.Object.Meta.Key);
        });

        var services = new List<VirtualService>();
        var rules = new List<DestinationRule>();
        foreach (var (item, config) in candidates)
        {
            var trial = new NetworkingConfig([.. services, .. config.VirtualServices], [.. rules, .. config.DestinationRules]);
            var errors = NetworkingValidator.Validate(trial);
            if (errors.Count > 0)
            {
                ignored.Add(new IgnoredResource(item.Kind, $"{item.Namespace}/{item.Name}", string.Join("; ", errors)));
                continue;
            }

            services.AddRange(config.VirtualServices);
            rules.AddRange(config.DestinationRules);
            accepted?.Add(item);
        }

        // Sidecars scope what each proxy receives (the registry applies them per proxy); one that cannot be read
        // exactly is left out, named, rather than applied in part.
        foreach (var item in stores.IstioItems("Sidecar"))
        {
            if (Registry.Scoping.SidecarReader.Read(item) is { Error: { } error })
            {
                ignored.Add(new IgnoredResource("Sidecar", $"{item.Namespace}/{item.Name}", error));
            }
            else
            {
                accepted?.Add(item);
            }
        }

        foreach (var (kind, _) in KubernetesApi.IstioKinds)
        {
            if (kind is "VirtualService" or "DestinationRule" or "Sidecar")
            {
                continue;
            }

            foreach (var item in stores.IstioItems(kind))
            {
                ignored.Add(new IgnoredResource(kind, $"{item.Namespace}/{item.Name}",
                    $"{kind} is not implemented by Waylay: the resource is kept and counted, but nothing is configured from it"));
            }
        }

        return new NetworkingConfig(services, rules);
    }
}
