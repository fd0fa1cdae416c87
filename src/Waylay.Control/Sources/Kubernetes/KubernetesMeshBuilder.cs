using System.Net;
using k8s.Models;
using Waylay.Mesh;

namespace Waylay.Control.Sources.Kubernetes;

/// <summary>
/// Turns the stores into Waylay's model, whole, every time (no incremental patching to get wrong): Services with
/// their ClusterIPs and ports, endpoints from the EndpointSlices that name the Service
/// (<c>kubernetes.io/service-name</c>), each endpoint carrying its pod's labels (targetRef → Pod), the Pods as
/// workloads, and Istio's routing rules (<see cref="KubernetesMeshBuilder"/>.Networking.cs). What Waylay does not
/// implement is added to <c>ignored</c> with the reason, never dropped silently.
/// </summary>
internal static partial class KubernetesMeshBuilder
{
    private const string ServiceNameLabel = "kubernetes.io/service-name";

    /// <summary>Istio's annotation on a Service: the namespaces whose proxies see it.</summary>
    public const string ExportToAnnotation = "networking.istio.io/exportTo";

    public static MeshModel BuildMesh(KubernetesStores stores, string version, List<IgnoredResource> ignored)
    {
        var slicesByService = new Dictionary<string, List<V1EndpointSlice>>(StringComparer.Ordinal);
        foreach (var slice in KubernetesStores.All(stores.EndpointSlices))
        {
            if (slice.Metadata?.Labels is { } labels && labels.TryGetValue(ServiceNameLabel, out var service))
            {
                var key = $"{slice.Metadata.NamespaceProperty}/{service}";
                if (!slicesByService.TryGetValue(key, out var list))
                {
                    slicesByService[key] = list = [];
                }

                list.Add(slice);
            }
        }

        var services = new List<Service>();
        foreach (var service in KubernetesStores.All(stores.Services))
        {
            var ns = service.Metadata?.NamespaceProperty ?? "";
            var name = service.Metadata?.Name ?? "";
            if (service.Spec?.Type == "ExternalName")
            {
                ignored.Add(new IgnoredResource("Service", $"{ns}/{name}",
                    $"type ExternalName ({service.Spec.ExternalName}) is not implemented by Waylay: traffic to it passes through unrouted"));
                continue;
            }

            var slices = slicesByService.TryGetValue($"{ns}/{name}", out var found) ? found : [];
            var exportTo = Waylay.Mesh.Networking.ExportTo.ParseAnnotation(service.Metadata?.Annotations?.TryGetValue(ExportToAnnotation, out var e) == true ? e : null);
            if (exportTo.Select(Waylay.Mesh.Networking.ExportTo.Problem).FirstOrDefault(p => p is not null) is { } problem)
            {
                ignored.Add(new IgnoredResource("Service", $"{ns}/{name}", $"metadata.annotations[{ExportToAnnotation}]: {problem}; fix the annotation"));
                continue;
            }

            services.Add(new Service(name, ns, ClusterIps(service), Ports(service), Endpoints(stores, slices, ignored)) { ExportTo = exportTo });
        }

        var workloads = new List<Workload>();
        foreach (var pod in KubernetesStores.All(stores.Pods))
        {
            if (pod.Status?.Phase is "Succeeded" or "Failed")
            {
                continue; // finished pods hold no address
            }

            var addresses = new List<IPAddress>();
            foreach (var ip in pod.Status?.PodIPs ?? [])
            {
                if (IPAddress.TryParse(ip.Ip, out var address))
                {
                    addresses.Add(address);
                }
            }

            if (addresses.Count == 0 && IPAddress.TryParse(pod.Status?.PodIP, out var single))
            {
                addresses.Add(single);
            }

            if (addresses.Count > 0 && pod.Spec?.HostNetwork != true)
            {
                workloads.Add(new Workload(pod.Metadata.Name, pod.Metadata.NamespaceProperty ?? "", addresses, Labels(pod.Metadata.Labels), pod.Spec?.ServiceAccountName));
            }
        }

        return new MeshModel(version, services, workloads);
    }

    private static List<IPAddress> ClusterIps(V1Service service)
    {
        var addresses = new List<IPAddress>();
        var ips = service.Spec?.ClusterIPs is { Count: > 0 } many ? many : service.Spec?.ClusterIP is { } one ? [one] : [];
        foreach (var ip in ips)
        {
            // "None" is a headless Service: no virtual address, clients dial the endpoints themselves.
            if (IPAddress.TryParse(ip, out var address))
            {
                addresses.Add(address);
            }
        }

        return addresses;
    }

    /// <summary>
    /// The ports as Kubernetes gives them; the name and appProtocol are kept as they are, because the proxy picks
    /// the protocol from them exactly as Istio does (appProtocol first, then the name's prefix: <c>http-</c>, <c>grpc-</c>…).
    /// A named targetPort is resolved per endpoint by the EndpointSlice's port of the same name.
    /// </summary>
    private static List<ServicePort> Ports(V1Service service)
    {
        var ports = new List<ServicePort>();
        foreach (var port in service.Spec?.Ports ?? [])
        {
            var number = (ushort)port.Port;
            var target = port.TargetPort?.Value is { } value && ushort.TryParse(value, out var numeric) ? numeric : number;
            var protocol = port.Protocol switch
            {
                "UDP" => TransportProtocol.Udp,
                "SCTP" => TransportProtocol.Sctp,
                _ => TransportProtocol.Tcp,
            };
            ports.Add(new ServicePort(port.Name ?? "", number, target, protocol, port.AppProtocol));
        }

        return ports;
    }

    private static List<Endpoint> Endpoints(KubernetesStores stores, List<V1EndpointSlice> slices, List<IgnoredResource> ignored)
    {
        var endpoints = new List<Endpoint>();
        var seen = new HashSet<IPAddress>();
        foreach (var slice in slices)
        {
            if (slice.AddressType == "FQDN")
            {
                ignored.Add(new IgnoredResource("EndpointSlice", $"{slice.Metadata.NamespaceProperty}/{slice.Metadata.Name}",
                    "addressType FQDN is not implemented by Waylay (deprecated in Kubernetes): only IPv4 and IPv6 slices are used"));
                continue;
            }

            var ports = new Dictionary<string, ushort>(StringComparer.Ordinal);
            foreach (var port in slice.Ports ?? [])
            {
                if (port.Port is { } number)
                {
                    ports[port.Name ?? ""] = (ushort)number;
                }
            }

            foreach (var endpoint in slice.Endpoints ?? [])
            {
                // Kubernetes: the addresses of one endpoint are fungible; consumers may use only the first.
                if (endpoint.Addresses is not { Count: > 0 } || !IPAddress.TryParse(endpoint.Addresses[0], out var address) || !seen.Add(address))
                {
                    continue;
                }

                var pod = endpoint.TargetRef is { Kind: "Pod" } target
                    ? stores.FindPod(target.NamespaceProperty ?? slice.Metadata.NamespaceProperty ?? "", target.Name)
                    : null;
                endpoints.Add(new Endpoint(address, ports, Labels(pod?.Metadata?.Labels), Health(endpoint.Conditions)));
            }
        }

        return endpoints;
    }

    /// <summary>Kubernetes' conditions: ready unset means ready; a terminating endpoint is draining.</summary>
    private static EndpointHealth Health(V1EndpointConditions? conditions) => conditions switch
    {
        null or { Ready: null or true } => EndpointHealth.Healthy,
        { Terminating: true } => EndpointHealth.Draining,
        _ => EndpointHealth.Unhealthy,
    };

    private static Dictionary<string, string> Labels(IDictionary<string, string>? labels) =>
        labels is null ? new Dictionary<string, string>(StringComparer.Ordinal) : new Dictionary<string, string>(labels, StringComparer.Ordinal);
}
