using Waylay.Mesh.Yaml;
using YamlDotNet.RepresentationModel;

namespace Waylay.Mesh.Networking;

public static partial class NetworkingReader
{
    /// <summary>
    /// A Gateway as Istio validates it (a selector, servers each with a port number, name and protocol and at least
    /// one <c>[namespace/]host</c>), limited to what Waylay's gateway serves: plain HTTP. TLS is refused by field.
    /// </summary>
    private static Gateway ReadGateway(YamlNodeReader r, YamlMappingNode spec, string name, string ns)
    {
        r.Supported(spec, "spec", "selector", "servers");
        var selector = r.StringMap(spec, "spec", "selector");
        var servers = new List<GatewayServer>();
        var portNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (node, path) in r.Items(spec, "spec", "servers"))
        {
            if (ReadServer(r, node, path, portNames) is { } server)
            {
                servers.Add(server);
            }
        }

        if (r.Get(spec, "servers") is null)
        {
            r.Error("spec.servers", "must list at least one server", spec);
        }

        return new Gateway(name, ns, selector, servers);
    }

    private static GatewayServer? ReadServer(YamlNodeReader r, YamlMappingNode node, string path, HashSet<string> portNames)
    {
        r.Supported(node, path, "port", "hosts", "name", "tls");
        if (r.Get(node, "tls") is { } tls)
        {
            r.Error(YamlNodeReader.Join(path, "tls"), "is not supported by Waylay: its gateway serves plain HTTP only (no HTTPS or TLS yet); remove the tls block and use protocol HTTP", tls);
        }

        var portPath = YamlNodeReader.Join(path, "port");
        if (r.OptionalMapping(node, path, "port") is not { } port)
        {
            r.Error(portPath, "is required", node);
            return null;
        }

        r.Supported(port, portPath, "number", "name", "protocol");
        var number = (ushort?)r.Integer(port, portPath, "number", 1, 65535);
        if (r.Get(port, "number") is null)
        {
            r.Error(YamlNodeReader.Join(portPath, "number"), "is required", port);
        }

        var portName = r.String(port, portPath, "name", required: true);
        if (portName is not null && !portNames.Add(portName))
        {
            r.Error(YamlNodeReader.Join(portPath, "name"), $"'{portName}' is already the name of another server's port: port names in servers must be unique", port);
        }

        var protocol = r.String(port, portPath, "protocol", required: true)?.ToUpperInvariant();
        if (protocol is not (null or "HTTP"))
        {
            r.Error(YamlNodeReader.Join(portPath, "protocol"), protocol switch
            {
                "HTTPS" or "TLS" => $"'{protocol}' is not supported by Waylay: its gateway serves plain HTTP only (no TLS termination or passthrough yet); use HTTP",
                "HTTP2" or "GRPC" or "GRPC-WEB" or "TCP" or "MONGO" or "REDIS" or "MYSQL" => $"'{protocol}' is not supported by Waylay's gateway yet; use HTTP (HTTP/1.1)",
                _ => $"'{protocol}' is not a protocol; use HTTP (Istio's others: HTTPS, HTTP2, GRPC, GRPC-WEB, TCP, TLS, MONGO, REDIS, MYSQL)",
            }, port);
        }

        var hosts = new List<GatewayHost>();
        var written = r.Strings(node, path, "hosts");
        if (written.Count == 0)
        {
            r.Error(YamlNodeReader.Join(path, "hosts"), "must name at least one host ('*' for every host)", node);
        }

        for (var i = 0; i < written.Count; i++)
        {
            var slash = written[i].IndexOf('/');
            var hostNs = slash < 0 ? "*" : written[i][..slash];
            var host = (slash < 0 ? written[i] : written[i][(slash + 1)..]).ToLowerInvariant();
            var hostPath = $"{YamlNodeReader.Join(path, "hosts")}[{i}]";
            if (hostNs is not ("*" or ".") && !HostName.IsValid(hostNs, allowWildcard: false) || hostNs.Contains('.') && hostNs != ".")
            {
                r.Error(hostPath, $"'{hostNs}' is not a namespace: write namespace/host with a namespace name, '*' (any) or '.' (the Gateway's own)", node);
            }

            if (!HostName.IsValid(host, allowWildcard: true))
            {
                r.Error(hostPath, $"'{host}' is not a valid host: '*', or a DNS name optionally starting with '*.'", node);
            }

            hosts.Add(new GatewayHost(hostNs, host));
        }

        return new GatewayServer(number ?? 0, portName ?? "", protocol ?? "HTTP", hosts);
    }

    /// <summary>
    /// <c>spec.gateways</c> of a VirtualService, resolved as Istio resolves them: <c>mesh</c>; <c>namespace/name</c>;
    /// <c>name.namespace…</c> (the older form); a bare name is in the VirtualService's namespace.
    /// </summary>
    private static List<string> ReadGatewayNames(YamlNodeReader r, YamlMappingNode spec, string ns)
    {
        var resolved = new List<string>();
        var written = r.Strings(spec, "spec", "gateways");
        for (var i = 0; i < written.Count; i++)
        {
            var gateway = written[i];
            string reference;
            if (gateway == VirtualService.MeshGateway)
            {
                reference = gateway;
            }
            else if (gateway.IndexOf('/') is var slash and >= 0)
            {
                var gatewayNs = gateway[..slash];
                reference = $"{(gatewayNs == "." ? ns : gatewayNs)}/{gateway[(slash + 1)..]}";
            }
            else if (gateway.Split('.') is [var first, var second, ..])
            {
                reference = $"{second}/{first}";
            }
            else
            {
                reference = $"{ns}/{gateway}";
            }

            var parts = reference.Split('/');
            if (reference != VirtualService.MeshGateway && (parts.Length != 2 || !HostName.IsValid(parts[0], false) || !HostName.IsValid(parts[1], false) || parts[1].Contains('.')))
            {
                r.Error($"spec.gateways[{i}]", $"'{gateway}' is not a gateway name: write 'mesh', 'name' or 'namespace/name'", spec);
                continue;
            }

            resolved.Add(reference);
        }

        return resolved;
    }
}
