using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Waylay.Inject;
using Waylay.Mesh;

namespace Waylay.Node.Up;

/// <summary>
/// A Service of the manifests as the endpoints controller reads it: the mesh's <see cref="Service"/> (ports, the
/// clusterIP if set) plus its selector and the targetPorts given by name, which are resolved per pod from its
/// containers' <c>ports[].name</c> (as EndpointSlices carry them).
/// </summary>
internal sealed record ServiceManifest(Service Service, IReadOnlyDictionary<string, string> Selector, IReadOnlyDictionary<string, string> NamedTargetPorts)
{
    public string Namespace => Service.Namespace;

    public string Name => Service.Name;

    /// <summary>True when <paramref name="labels"/> (a pod's, in the same namespace) match a non-empty selector.</summary>
    public bool Selects(string @namespace, IReadOnlyDictionary<string, string> labels) =>
        @namespace == Namespace && Selector.Count > 0 && Selector.All(s => labels.TryGetValue(s.Key, out var v) && v == s.Value);

    public static ServiceManifest Read(JsonObject service, string where)
    {
        var name = (string?)service["metadata"]?["name"] ?? throw new ManifestException($"{where}: metadata.name is required");
        var ns = (string?)service["metadata"]?["namespace"] ?? Manifests.ManifestSet.DefaultNamespace;
        var selector = (service["spec"]?["selector"] as JsonObject ?? [])
            .ToDictionary(p => p.Key, p => p.Value?.ToString() ?? "", StringComparer.Ordinal);
        var ports = new List<ServicePort>();
        var named = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var port in (service["spec"]?["ports"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var number = port["port"] is JsonValue p && p.TryGetValue<int>(out var n) && n is > 0 and < 65536
                ? (ushort)n
                : throw new ManifestException($"{where}: a port has no valid 'port' (1-65535)");
            var portName = (string?)port["name"] ?? "";
            var protocol = ((string?)port["protocol"] ?? "TCP") switch
            {
                "TCP" => TransportProtocol.Tcp,
                "UDP" => TransportProtocol.Udp,
                var other => throw new ManifestException($"{where}: port {number} protocol '{other}': waylay up runs TCP and UDP"),
            };
            var target = number;
            switch (port["targetPort"])
            {
                case JsonValue t when t.TryGetValue<int>(out var tn):
                    target = tn is > 0 and < 65536 ? (ushort)tn : throw new ManifestException($"{where}: port {number} targetPort {tn}: use 1-65535 or a container port's name");
                    break;
                case JsonValue t when t.TryGetValue<string>(out var ts):
                    if (int.TryParse(ts, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed is > 0 and < 65536)
                    {
                        target = (ushort)parsed;
                    }
                    else
                    {
                        named[portName] = ts;
                    }

                    break;
            }

            ports.Add(new ServicePort(portName, number, target, protocol, (string?)port["appProtocol"]));
        }

        IReadOnlyList<IPAddress> addresses = (string?)service["spec"]?["clusterIP"] is { Length: > 0 } ip && ip != "None"
            ? [IPAddress.TryParse(ip, out var address) ? address : throw new ManifestException($"{where}: clusterIP '{ip}' is not an IP address; remove it to get one allocated")]
            : [];
        return new ServiceManifest(new Service(name, ns, addresses, ports, []), selector, named);
    }
}
