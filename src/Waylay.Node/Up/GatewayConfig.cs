using System.Text.Json.Nodes;
using Waylay.Mesh;

namespace Waylay.Node.Up;

/// <summary>
/// The ingress gateway's <c>mesh.yaml</c>, kept current by the node runtime until the control plane streams it (issue
/// 16): every Service with its ClusterIP, ports and ready endpoints, every running pod as a workload, rewritten each
/// time they change into the gateway pod's ConfigMap volume (<paramref name="directory"/>, the machine's side of the
/// bind mount), as a kubelet refreshes a ConfigMap volume. Written to a sibling and renamed, so the proxy's reload
/// never reads half a file. JSON is YAML: the proxy's reader takes it as it is.
/// </summary>
internal sealed class GatewayConfig(string directory)
{
    public string MeshFile => Path.Combine(directory, "mesh.yaml");

    /// <summary>False until the pod's sandbox has made the volume.</summary>
    public bool Ready => Directory.Exists(directory);

    public void WriteMesh(IEnumerable<Service> services, IEnumerable<Workload> workloads)
    {
        var serviceList = new JsonArray();
        foreach (var service in services)
        {
            // The proxy routes TCP only (and the mesh file holds one service per address and port, whatever the
            // protocol: kube-dns's 53/UDP beside 53/TCP would be refused).
            var ports = service.Ports.Where(p => p.Protocol == TransportProtocol.Tcp).ToList();
            if (ports.Count == 0)
            {
                continue;
            }

            serviceList.Add(new JsonObject
            {
                ["name"] = service.Name,
                ["namespace"] = service.Namespace,
                ["addresses"] = new JsonArray([.. service.Addresses.Select(a => (JsonNode)a.ToString())]),
                ["ports"] = new JsonArray([.. ports.Select(p => (JsonNode)new JsonObject
                {
                    ["name"] = PortName(p),
                    ["port"] = p.Port,
                    ["targetPort"] = p.TargetPort,
                    ["protocol"] = p.Protocol.ToString().ToUpperInvariant(),
                })]),
                ["endpoints"] = new JsonArray([.. service.Endpoints.Select(e => (JsonNode)new JsonObject
                {
                    ["address"] = e.Address.ToString(),
                    ["ports"] = new JsonObject(ports.Where(p => e.Ports.ContainsKey(p.Name)).Select(p => KeyValuePair.Create(PortName(p), (JsonNode?)e.Ports[p.Name]))),
                    ["labels"] = Map(e.Labels),
                })]),
            });
        }

        var workloadList = new JsonArray([.. workloads.Select(w => (JsonNode)new JsonObject
        {
            ["name"] = w.Name,
            ["namespace"] = w.Namespace,
            ["addresses"] = new JsonArray([.. w.Addresses.Select(a => (JsonNode)a.ToString())]),
            ["labels"] = Map(w.Labels),
        })]);
        Replace(MeshFile, new JsonObject { ["services"] = serviceList, ["workloads"] = workloadList }.ToJsonString() + "\n");
    }

    /// <summary>An unnamed port is named by its number, as the mesh file does.</summary>
    private static string PortName(ServicePort port) =>
        port.Name.Length > 0 ? port.Name : port.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static JsonObject Map(IReadOnlyDictionary<string, string> labels) =>
        new(labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => KeyValuePair.Create(l.Key, (JsonNode?)l.Value)));

    /// <summary>Written to a sibling and renamed: a reader polling the file never sees half of it.</summary>
    public static void Replace(string path, string text)
    {
        var temporary = path + ".new";
        File.WriteAllText(temporary, text);
        File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        File.Move(temporary, path, overwrite: true);
    }
}
