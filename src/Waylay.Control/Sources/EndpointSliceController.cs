using k8s.Models;

namespace Waylay.Control.Sources;

/// <summary>
/// Kubernetes' EndpointSlice controller for sources without a cluster (files, registrations): a Service with a
/// selector and no EndpointSlice of its own gets one, listing the pods in its namespace whose labels match, ready
/// when the pod's Ready condition is true. Ports are the Service's targetPorts by port name (a named targetPort
/// would need the pod's container ports, which a registration does not carry: the port's number is used).
/// </summary>
internal static class EndpointSliceController
{
    private const string ServiceNameLabel = "kubernetes.io/service-name";

    public static IEnumerable<V1EndpointSlice> SlicesFor(IEnumerable<V1Service> services, IReadOnlyList<V1EndpointSlice> existing, IReadOnlyList<V1Pod> pods)
    {
        var covered = new HashSet<string>(StringComparer.Ordinal);
        foreach (var slice in existing)
        {
            if (slice.Metadata?.Labels is { } labels && labels.TryGetValue(ServiceNameLabel, out var name))
            {
                covered.Add($"{slice.Metadata.NamespaceProperty}/{name}");
            }
        }

        // Pods by "namespace/key=value" of every label: a selector's first pair picks the candidates, so 1,000 Services
        // over 10,000 pods cost a lookup each, not 10 million comparisons.
        var index = new Dictionary<string, List<V1Pod>>(StringComparer.Ordinal);
        foreach (var pod in pods)
        {
            foreach (var (key, value) in pod.Metadata?.Labels ?? new Dictionary<string, string>())
            {
                var slot = $"{pod.Metadata!.NamespaceProperty}/{key}={value}";
                if (!index.TryGetValue(slot, out var list))
                {
                    index[slot] = list = [];
                }

                list.Add(pod);
            }
        }

        foreach (var service in services)
        {
            var ns = service.Metadata?.NamespaceProperty ?? "default";
            var name = service.Metadata?.Name ?? "";
            if (service.Spec?.Selector is not { Count: > 0 } selector || covered.Contains($"{ns}/{name}"))
            {
                continue;
            }

            var endpoints = new List<V1Endpoint>();
            var first = selector.First();
            foreach (var pod in index.TryGetValue($"{ns}/{first.Key}={first.Value}", out var candidates) ? candidates : [])
            {
                if (Matches(selector, pod.Metadata.Labels) && pod.Status?.PodIP is { Length: > 0 } ip)
                {
                    var ready = pod.Status.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;
                    endpoints.Add(new V1Endpoint
                    {
                        Addresses = [ip],
                        Conditions = new V1EndpointConditions { Ready = ready },
                        TargetRef = new V1ObjectReference { Kind = "Pod", Name = pod.Metadata.Name, NamespaceProperty = ns },
                    });
                }
            }

            var ports = (service.Spec.Ports ?? []).Select(p => new Discoveryv1EndpointPort
            {
                Name = p.Name ?? "",
                Port = p.TargetPort?.Value is { } v && int.TryParse(v, out var n) ? n : p.Port,
                Protocol = p.Protocol,
            }).ToList();
            yield return new V1EndpointSlice
            {
                AddressType = "IPv4",
                Endpoints = endpoints,
                Metadata = new V1ObjectMeta
                {
                    Name = $"{name}-waylay",
                    NamespaceProperty = ns,
                    Labels = new Dictionary<string, string> { [ServiceNameLabel] = name },
                },
                Ports = ports,
            };
        }
    }

    private static bool Matches(IDictionary<string, string> selector, IDictionary<string, string>? labels)
    {
        foreach (var (key, value) in selector)
        {
            if (labels is null || !labels.TryGetValue(key, out var own) || own != value)
            {
                return false;
            }
        }

        return true;
    }
}
