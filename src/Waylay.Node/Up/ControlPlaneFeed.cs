using System.Text.Json.Nodes;
using Waylay.Mesh;

namespace Waylay.Node.Up;

/// <summary>
/// What the node runtime tells the control plane from files, as a cluster's API server would hold it: the run's
/// Services (with the ClusterIPs the node gave them: a manifest has none) and Istio's routing objects, written into
/// the control plane pod's ConfigMap volume (<paramref name="directory"/>, the machine's side of the bind mount) at
/// start and after every <c>waylay apply</c>/<c>delete</c>. <c>waylay control -f</c> polls it and pushes what changed
/// to every sidecar. Pods are not written here: they reach it through its registration API
/// (<see cref="ControlRegistrations"/>).
/// </summary>
internal sealed class ControlPlaneFeed(string directory)
{
    public string ObjectsFile => Path.Combine(directory, "objects.yaml");

    /// <summary>False until the pod's sandbox has made the volume.</summary>
    public bool Ready => Directory.Exists(directory);

    public void WriteObjects(IEnumerable<JsonObject> objects, IReadOnlyList<Service> services)
    {
        var documents = new List<string>();
        foreach (var o in objects)
        {
            var copy = (JsonObject)o.DeepClone();
            if ((string?)copy["kind"] == "Service")
            {
                var name = (string?)copy["metadata"]?["name"];
                var ns = (string?)copy["metadata"]?["namespace"] ?? Manifests.ManifestSet.DefaultNamespace;
                if (services.FirstOrDefault(s => s.Name == name && s.Namespace == ns) is not { } applied)
                {
                    continue; // not applied (yet): sidecars would route to an address kube-proxy does not serve
                }

                if (copy["spec"] is JsonObject spec)
                {
                    spec["clusterIP"] = applied.Addresses[0].ToString();
                }
            }

            documents.Add(copy.ToJsonString()); // JSON is YAML: one document each
        }

        GatewayConfig.Replace(ObjectsFile, string.Join("\n---\n", documents) + "\n");
    }
}
