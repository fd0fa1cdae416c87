using System.Text.Json.Nodes;

namespace Waylay.Node.Manifests;

/// <summary>
/// One pod to run, as the API server would hold it after its controller made it: the (injected) pod with its own
/// metadata (name, namespace, labels with the controller's hash), and the workload it came from (<c>Deployment/reviews-v1</c>).
/// </summary>
internal sealed record ManifestPod(string Namespace, string Name, JsonObject Pod, string Workload);
