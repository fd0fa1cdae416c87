using System.IO.Hashing;
using System.Net;
using System.Text;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Waylay.Mesh;

/// <summary>
/// Reads the <c>mesh.yaml</c> format (documented in docs/designs/proxy.md) into a <see cref="MeshModel"/>. It walks
/// YamlDotNet's node tree by hand rather than deserializing by reflection: that keeps it NativeAOT-safe and lets every
/// error carry its field path and line. Unknown keys are errors, so a typo never silently means "default".
/// </summary>
public static class MeshFileReader
{
    /// <summary>Reads and validates a file; throws <see cref="MeshValidationException"/> listing every error.</summary>
    public static MeshModel ReadFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MeshValidationException(path, [new MeshError("(file)", $"cannot read the file: {e.Message}; check the --config path and its permissions")]);
        }

        return Read(text, path);
    }

    /// <summary>Parses and validates YAML text; <paramref name="source"/> names it in errors.</summary>
    public static MeshModel Read(string text, string source = "mesh.yaml")
    {
        var (model, errors) = TryRead(text);
        return errors.Count > 0 ? throw new MeshValidationException(source, errors) : model!;
    }

    /// <summary>Parses and validates, returning every error instead of throwing.</summary>
    public static (MeshModel? Model, IReadOnlyList<MeshError> Errors) TryRead(string text)
    {
        var errors = new List<MeshError>();
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            errors.Add(new MeshError("(yaml)", $"not valid YAML: {e.InnerException?.Message ?? e.Message}", (int)e.Start.Line));
            return (null, errors);
        }

        var hash = Convert.ToHexStringLower(XxHash128.Hash(Encoding.UTF8.GetBytes(text)))[..12];
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
        {
            return (MeshModel.Empty with { Version = hash }, errors);
        }

        var reader = new NodeReader(errors);
        var root = reader.Mapping(stream.Documents[0].RootNode, "(root)");
        if (root is null)
        {
            return (null, errors);
        }

        reader.OnlyKeys(root, "(root)", "version", "services", "workloads");
        var version = reader.OptionalString(root, "(root)", "version") ?? hash;
        var services = reader.List(root, "services", ReadService);
        var workloads = reader.List(root, "workloads", ReadWorkload);
        var model = new MeshModel(version, services, workloads);
        errors.AddRange(MeshValidator.Validate(model));
        return (errors.Count == 0 ? model : null, errors);
    }

    private static Service? ReadService(NodeReader r, YamlMappingNode node, string path)
    {
        r.OnlyKeys(node, path, "name", "namespace", "addresses", "ports", "endpoints", "loadBalancer");
        var name = r.RequiredString(node, path, "name");
        var ns = r.OptionalString(node, path, "namespace") ?? "default";
        var addresses = r.Addresses(node, path, "addresses");
        var ports = r.List(node, "ports", ReadPort, path);
        var endpoints = r.List(node, "endpoints", ReadEndpoint, path);
        var lb = r.OptionalString(node, path, "loadBalancer") switch
        {
            null or "ROUND_ROBIN" or "round-robin" => LoadBalancerPolicy.RoundRobin,
            "LEAST_CONN" or "LEAST_REQUEST" or "least-connections" => LoadBalancerPolicy.LeastConnections,
            var other => r.Fail<LoadBalancerPolicy>(node, $"{path}.loadBalancer", $"unknown policy '{other}': use ROUND_ROBIN or LEAST_CONN"),
        };
        // Items are never dropped, even when invalid (the reader has recorded why): the validator's list indices must
        // match the file's so its field paths point at the right item.
        return new Service(name ?? "", ns, addresses, ports, endpoints, lb);
    }

    private static ServicePort? ReadPort(NodeReader r, YamlMappingNode node, string path)
    {
        r.OnlyKeys(node, path, "name", "port", "targetPort", "protocol", "appProtocol");
        var port = r.Port(node, path, "port", required: true);
        var target = r.Port(node, path, "targetPort", required: false) ?? port;
        var protocol = r.OptionalString(node, path, "protocol")?.ToUpperInvariant() switch
        {
            null or "TCP" => TransportProtocol.Tcp,
            "UDP" => TransportProtocol.Udp,
            "SCTP" => TransportProtocol.Sctp,
            var other => r.Fail<TransportProtocol>(node, $"{path}.protocol", $"unknown protocol '{other}': use TCP, UDP or SCTP"),
        };
        var name = r.OptionalString(node, path, "name") ?? (port is { } p ? p.ToString(System.Globalization.CultureInfo.InvariantCulture) : "");
        return new ServicePort(name, port ?? 0, target ?? port ?? 0, protocol, r.OptionalString(node, path, "appProtocol"));
    }

    private static Endpoint? ReadEndpoint(NodeReader r, YamlMappingNode node, string path)
    {
        r.OnlyKeys(node, path, "address", "ports", "labels", "health");
        var address = r.Address(node, path, "address");
        var ports = new Dictionary<string, ushort>(StringComparer.Ordinal);
        if (r.OptionalMapping(node, path, "ports") is { } portMap)
        {
            foreach (var (key, value) in portMap.Children)
            {
                var keyText = ((key as YamlScalarNode)?.Value) ?? "";
                if (r.PortValue(value, $"{path}.ports.{keyText}") is { } port)
                {
                    ports[keyText] = port;
                }
            }
        }

        var health = r.OptionalString(node, path, "health") switch
        {
            null or "Healthy" or "healthy" or "HEALTHY" => EndpointHealth.Healthy,
            "Unhealthy" or "unhealthy" or "UNHEALTHY" => EndpointHealth.Unhealthy,
            "Draining" or "draining" or "DRAINING" => EndpointHealth.Draining,
            var other => r.Fail<EndpointHealth>(node, $"{path}.health", $"unknown health '{other}': use Healthy, Unhealthy or Draining"),
        };
        return new Endpoint(address ?? IPAddress.None, ports, r.Labels(node, path), health);
    }

    private static Workload? ReadWorkload(NodeReader r, YamlMappingNode node, string path)
    {
        r.OnlyKeys(node, path, "name", "namespace", "addresses", "labels", "serviceAccount");
        var name = r.RequiredString(node, path, "name");
        return new Workload(name ?? "", r.OptionalString(node, path, "namespace") ?? "default", r.Addresses(node, path, "addresses"), r.Labels(node, path), r.OptionalString(node, path, "serviceAccount"));
    }
}
