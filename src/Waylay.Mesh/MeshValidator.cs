using System.Net;

namespace Waylay.Mesh;

/// <summary>
/// The rules a mesh model must keep whatever its source (file or control plane): names present and unique, every
/// service address:port owned by one service, endpoint port overrides naming real ports. Returns every error at once.
/// </summary>
public static class MeshValidator
{
    public static IReadOnlyList<MeshError> Validate(MeshModel model)
    {
        var errors = new List<MeshError>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var owners = new Dictionary<(IPAddress, ushort), string>();
        for (var s = 0; s < model.Services.Count; s++)
        {
            var service = model.Services[s];
            var path = $"services[{s}]";
            if (service.Name.Length > 0 && !IsDnsLabel(service.Name))
            {
                errors.Add(new MeshError($"{path}.name", $"'{service.Name}' is not a DNS label: lower-case letters, digits and '-', at most 63"));
            }

            if (service.Name.Length > 0 && !names.Add(service.Key))
            {
                errors.Add(new MeshError($"{path}.name", $"service {service.Key} is defined twice: merge the two entries"));
            }

            if (service.Ports.Count == 0)
            {
                errors.Add(new MeshError($"{path}.ports", "a service needs at least one port"));
            }

            var portNames = new HashSet<string>(StringComparer.Ordinal);
            for (var p = 0; p < service.Ports.Count; p++)
            {
                var port = service.Ports[p];
                if (!portNames.Add(port.Name))
                {
                    errors.Add(new MeshError($"{path}.ports[{p}].name", $"port name '{port.Name}' is used twice in {service.Key}: give each port its own name"));
                }

                if (port.Port == 0)
                {
                    continue; // the reader has reported the invalid port
                }

                foreach (var address in service.Addresses)
                {
                    if (owners.TryGetValue((address, port.Port), out var owner))
                    {
                        errors.Add(new MeshError($"{path}.ports[{p}]", $"{Format(address, port.Port)} already belongs to {owner}: a service address and port can name only one service"));
                    }
                    else
                    {
                        owners[(address, port.Port)] = service.Key;
                    }
                }
            }

            for (var e = 0; e < service.Endpoints.Count; e++)
            {
                foreach (var name in service.Endpoints[e].Ports.Keys)
                {
                    if (!portNames.Contains(name))
                    {
                        errors.Add(new MeshError($"{path}.endpoints[{e}].ports.{name}", $"{service.Key} has no port named '{name}': use one of {string.Join(", ", portNames)}"));
                    }
                }
            }
        }

        var workloads = new HashSet<string>(StringComparer.Ordinal);
        for (var w = 0; w < model.Workloads.Count; w++)
        {
            var workload = model.Workloads[w];
            if (workload.Name.Length > 0 && !workloads.Add($"{workload.Name}.{workload.Namespace}"))
            {
                errors.Add(new MeshError($"workloads[{w}].name", $"workload {workload.Name}.{workload.Namespace} is defined twice"));
            }
        }

        return errors;
    }

    private static string Format(IPAddress address, ushort port) => new IPEndPoint(address, port).ToString();

    private static bool IsDnsLabel(string name)
    {
        if (name.Length is 0 or > 63 || name[0] == '-' || name[^1] == '-')
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-'))
            {
                return false;
            }
        }

        return true;
    }
}
