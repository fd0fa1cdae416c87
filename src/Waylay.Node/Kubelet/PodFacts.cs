using System.Net;
using k8s.Models;

namespace Waylay.Node.Kubelet;

/// <summary>
/// What the downward API can tell a container (<c>fieldRef.fieldPath</c>, and downwardAPI volume items): the pod's
/// metadata, its spec's node and service account, and once CNI gave it an address, <c>status.podIP</c> and
/// <c>status.hostIP</c> (null until then).
/// </summary>
internal sealed record PodFacts(V1Pod Pod, string NodeName, IPAddress? PodIP, IPAddress? HostIP)
{
    /// <summary>The value of a fieldPath, or an error naming the path and the ones that exist.</summary>
    public string Field(string path, string where)
    {
        var metadata = Pod.Metadata;
        if (Bracketed(path, "metadata.labels") is { } label)
        {
            return (metadata.Labels is { } labels && labels.TryGetValue(label, out var l) ? l : "");
        }

        if (Bracketed(path, "metadata.annotations") is { } annotation)
        {
            return (metadata.Annotations is { } annotations && annotations.TryGetValue(annotation, out var a) ? a : "");
        }

        return path switch
        {
            "metadata.name" => metadata.Name,
            "metadata.namespace" => metadata.NamespaceProperty ?? Manifests.ManifestSet.DefaultNamespace,
            "metadata.uid" => metadata.Uid ?? "",
            "metadata.labels" => Lines(metadata.Labels),
            "metadata.annotations" => Lines(metadata.Annotations),
            "spec.nodeName" => NodeName,
            "spec.serviceAccountName" => Pod.Spec.ServiceAccountName ?? "default",
            "status.podIP" or "status.podIPs" => PodIP?.ToString() ?? "",
            "status.hostIP" or "status.hostIPs" => HostIP?.ToString() ?? "",
            _ => throw new Manifests.PodConversionException(
                $"{where}: fieldPath '{path}' is not one the downward API has; use metadata.name, metadata.namespace, metadata.uid, metadata.labels['KEY'], metadata.annotations['KEY'], spec.nodeName, spec.serviceAccountName, status.podIP or status.hostIP"),
        };
    }

    private static string? Bracketed(string path, string prefix) =>
        path.StartsWith(prefix + "['", StringComparison.Ordinal) && path.EndsWith("']", StringComparison.Ordinal)
            ? path[(prefix.Length + 2)..^2]
            : null;

    // The kubelet's format for whole maps in a downwardAPI volume: key="value" per line, sorted.
    private static string Lines(IDictionary<string, string>? map) =>
        map is null ? "" : string.Join("\n", map.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}=\"{p.Value}\""));
}
