using System.Globalization;
using System.Net;
using Waylay.Discovery.V1;
using Waylay.Mesh;
using ProtoEndpoint = Waylay.Discovery.V1.Endpoint;
using ProtoServicePort = Waylay.Discovery.V1.ServicePort;

namespace Waylay.Discovery;

/// <summary>
/// <see cref="MeshModel"/> ⇄ the stream's resources: the control plane cuts a model into services, endpoints and
/// workloads (so each type is versioned and pushed on its own), the proxy puts them back together. Both directions
/// live here so the two sides cannot drift.
/// </summary>
public static class MeshResources
{
    public static IEnumerable<Resource> Services(MeshModel model)
    {
        foreach (var service in model.Services)
        {
            var resource = new ServiceResource
            {
                Name = service.Name,
                Namespace = service.Namespace,
                LoadBalancer = service.LoadBalancer == LoadBalancerPolicy.LeastConnections ? "LEAST_CONN" : "ROUND_ROBIN",
            };
            resource.Addresses.AddRange(service.Addresses.Select(a => a.ToString()));
            foreach (var port in service.Ports)
            {
                resource.Ports.Add(new ProtoServicePort
                {
                    Name = port.Name,
                    Port = port.Port,
                    TargetPort = port.TargetPort,
                    Protocol = port.Protocol.ToString().ToUpperInvariant(),
                    AppProtocol = port.AppProtocol ?? "",
                });
            }

            yield return new Resource { Name = service.Key, Service = resource };
        }
    }

    public static IEnumerable<Resource> Endpoints(MeshModel model)
    {
        foreach (var service in model.Services)
        {
            var resource = new EndpointsResource { Service = service.Name, Namespace = service.Namespace };
            foreach (var endpoint in service.Endpoints)
            {
                var item = new ProtoEndpoint { Address = endpoint.Address.ToString(), Health = endpoint.Health.ToString() };
                foreach (var (name, port) in endpoint.Ports)
                {
                    item.Ports[name] = port;
                }

                item.Labels.Add(new Dictionary<string, string>(endpoint.Labels, StringComparer.Ordinal));
                resource.Endpoints.Add(item);
            }

            yield return new Resource { Name = service.Key, Endpoints = resource };
        }
    }

    public static IEnumerable<Resource> Workloads(MeshModel model)
    {
        foreach (var workload in model.Workloads)
        {
            var resource = new WorkloadResource { Name = workload.Name, Namespace = workload.Namespace, ServiceAccount = workload.ServiceAccount ?? "" };
            resource.Addresses.AddRange(workload.Addresses.Select(a => a.ToString()));
            resource.Labels.Add(new Dictionary<string, string>(workload.Labels, StringComparer.Ordinal));
            yield return new Resource { Name = $"{workload.Name}.{workload.Namespace}", Workload = resource };
        }
    }

    /// <summary>
    /// Puts a model back together; every malformed value is an error naming the resource, so a proxy NACKs rather
    /// than guesses. The result still goes through <see cref="MeshValidator"/> (duplicate addresses, ports…).
    /// </summary>
    public static MeshModel ToModel(string version, IReadOnlyList<Resource> services, IReadOnlyList<Resource> endpoints, IReadOnlyList<Resource> workloads, List<MeshError> errors)
    {
        var byService = new Dictionary<string, EndpointsResource>(StringComparer.Ordinal);
        foreach (var resource in endpoints)
        {
            if (resource.Endpoints is { } e)
            {
                byService[$"{e.Service}.{e.Namespace}"] = e;
            }
        }

        var model = new List<Mesh.Service>();
        foreach (var resource in services)
        {
            if (resource.Service is not { } s)
            {
                errors.Add(new MeshError($"services/{resource.Name}", "is not a service resource"));
                continue;
            }

            var path = $"services/{resource.Name}";
            var ports = s.Ports.Select(p => new Mesh.ServicePort(p.Name, Port(p.Port, $"{path}.port", errors), Port(p.TargetPort, $"{path}.targetPort", errors),
                p.Protocol switch { "UDP" => TransportProtocol.Udp, "SCTP" => TransportProtocol.Sctp, _ => TransportProtocol.Tcp },
                p.AppProtocol.Length > 0 ? p.AppProtocol : null)).ToList();
            var list = new List<Mesh.Endpoint>();
            if (byService.TryGetValue($"{s.Name}.{s.Namespace}", out var assignment))
            {
                foreach (var e in assignment.Endpoints)
                {
                    var health = Enum.TryParse<EndpointHealth>(e.Health, out var h) ? h : EndpointHealth.Healthy;
                    var endpointPorts = e.Ports.ToDictionary(p => p.Key, p => Port(p.Value, $"endpoints/{resource.Name}.ports.{p.Key}", errors), StringComparer.Ordinal);
                    list.Add(new Mesh.Endpoint(Address(e.Address, $"endpoints/{resource.Name}", errors), endpointPorts, new Dictionary<string, string>(e.Labels, StringComparer.Ordinal), health));
                }
            }

            var lb = s.LoadBalancer == "LEAST_CONN" ? LoadBalancerPolicy.LeastConnections : LoadBalancerPolicy.RoundRobin;
            model.Add(new Mesh.Service(s.Name, s.Namespace, [.. s.Addresses.Select(a => Address(a, path, errors))], ports, list, lb));
        }

        var pods = new List<Workload>();
        foreach (var resource in workloads)
        {
            if (resource.Workload is { } w)
            {
                pods.Add(new Workload(w.Name, w.Namespace, [.. w.Addresses.Select(a => Address(a, $"workloads/{resource.Name}", errors))],
                    new Dictionary<string, string>(w.Labels, StringComparer.Ordinal), w.ServiceAccount.Length > 0 ? w.ServiceAccount : null));
            }
        }

        var result = new MeshModel(version, model, pods);
        errors.AddRange(MeshValidator.Validate(result));
        return result;
    }

    private static IPAddress Address(string text, string path, List<MeshError> errors)
    {
        if (IPAddress.TryParse(text, out var address))
        {
            return address;
        }

        errors.Add(new MeshError(path, $"'{text}' is not an IP address"));
        return IPAddress.None;
    }

    private static ushort Port(uint value, string path, List<MeshError> errors)
    {
        if (value is > 0 and <= ushort.MaxValue)
        {
            return (ushort)value;
        }

        errors.Add(new MeshError(path, $"{value.ToString(CultureInfo.InvariantCulture)} is not a port (1-65535)"));
        return 0;
    }
}
