using System.IO.Hashing;
using System.Net;
using System.Text;
using YamlDotNet.Core;
using Waylay.Mesh.Yaml;
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

        var reader = new YamlNodeReader((path, message, line) => errors.Add(new MeshError(path, message, line)));
        var root = reader.Mapping(stream.Documents[0].RootNode, "(root)");
        if (root is null)
        {
            return (null, errors);
        }

        reader.Known(root, "", "version", "services", "workloads");
        var version = Text(reader.String(root, "", "version")) ?? hash;
        var services = reader.Items(root, "", "services").ConvertAll(item => ReadService(reader, item.Node, item.Path));
        var workloads = reader.Items(root, "", "workloads").ConvertAll(item => ReadWorkload(reader, item.Node, item.Path));
        var model = new MeshModel(version, services, workloads);
        errors.AddRange(MeshValidator.Validate(model));
        return (errors.Count == 0 ? model : null, errors);
    }

    private static Service ReadService(YamlNodeReader r, YamlMappingNode node, string path)
    {
        r.Known(node, path, "name", "namespace", "addresses", "ports", "endpoints", "loadBalancer");
        var name = r.String(node, path, "name", required: true);
        var ns = Text(r.String(node, path, "namespace")) ?? "default";
        var addresses = r.Addresses(node, path, "addresses");
        var ports = r.Items(node, path, "ports").ConvertAll(item => ReadPort(r, item.Node, item.Path));
        var endpoints = r.Items(node, path, "endpoints").ConvertAll(item => ReadEndpoint(r, item.Node, item.Path));
        var lb = Text(r.String(node, path, "loadBalancer")) switch
        {
            null or "ROUND_ROBIN" or "round-robin" => LoadBalancerPolicy.RoundRobin,
            "LEAST_CONN" or "LEAST_REQUEST" or "least-connections" => LoadBalancerPolicy.LeastConnections,
            var other => Fail<LoadBalancerPolicy>(r, node, $"{path}.loadBalancer", $"unknown policy '{other}': use ROUND_ROBIN or LEAST_CONN"),
        };
        // Items are never dropped, even when invalid (the reader has recorded why): the validator's list indices must
        // match the file's so its field paths point at the right item.
        return new Service(name ?? "", ns, addresses, ports, endpoints, lb);
    }

    private static ServicePort ReadPort(YamlNodeReader r, YamlMappingNode node, string path)
    {
        r.Known(node, path, "name", "port", "targetPort", "protocol", "appProtocol");
        var port = r.Port(node, path, "port", required: true);
        var target = r.Port(node, path, "targetPort", required: false) ?? port;
        var protocol = Text(r.String(node, path, "protocol"))?.ToUpperInvariant() switch
        {
            null or "TCP" => TransportProtocol.Tcp,
            "UDP" => TransportProtocol.Udp,
            "SCTP" => TransportProtocol.Sctp,
            var other => Fail<TransportProtocol>(r, node, $"{path}.protocol", $"unknown protocol '{other}': use TCP, UDP or SCTP"),
        };
        var name = Text(r.String(node, path, "name")) ?? (port is { } p ? p.ToString(System.Globalization.CultureInfo.InvariantCulture) : "");
        return new ServicePort(name, port ?? 0, target ?? port ?? 0, protocol, Text(r.String(node, path, "appProtocol")));
    }

    private static Endpoint ReadEndpoint(YamlNodeReader r, YamlMappingNode node, string path)
    {
        r.Known(node, path, "address", "ports", "labels", "health");
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

        var health = Text(r.String(node, path, "health")) switch
        {
            null or "Healthy" or "healthy" or "HEALTHY" => EndpointHealth.Healthy,
            "Unhealthy" or "unhealthy" or "UNHEALTHY" => EndpointHealth.Unhealthy,
            "Draining" or "draining" or "DRAINING" => EndpointHealth.Draining,
            var other => Fail<EndpointHealth>(r, node, $"{path}.health", $"unknown health '{other}': use Healthy, Unhealthy or Draining"),
        };
        return new Endpoint(address ?? IPAddress.None, ports, r.StringMap(node, path, "labels"), health);
    }

    private static Workload ReadWorkload(YamlNodeReader r, YamlMappingNode node, string path)
    {
        r.Known(node, path, "name", "namespace", "addresses", "labels", "serviceAccount");
        var name = r.String(node, path, "name", required: true);
        return new Workload(name ?? "", Text(r.String(node, path, "namespace")) ?? "default", r.Addresses(node, path, "addresses"), r.StringMap(node, path, "labels"), Text(r.String(node, path, "serviceAccount")));
    }

    /// <summary>An empty value (<c>namespace: ""</c>) means the default, as leaving the key out does.</summary>
    private static string? Text(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static T Fail<T>(YamlNodeReader r, YamlNode node, string path, string message)
    {
        r.Error(path, message, node);
        return default!;
    }
}
