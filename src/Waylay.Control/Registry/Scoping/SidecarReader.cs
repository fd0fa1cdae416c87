using YamlDotNet.RepresentationModel;
using Waylay.Control.Sources.Kubernetes;
using Waylay.Mesh.Networking;

namespace Waylay.Control.Registry.Scoping;

/// <summary>
/// Reads a <c>Sidecar</c> (networking.istio.io v1/v1beta1/v1alpha3) from the document its source holds (YAML from a
/// file, JSON from the API server: JSON is YAML). Waylay applies
/// <c>workloadSelector</c> and <c>egress[].hosts</c>; any other field (ingress, outboundTrafficPolicy, an egress
/// port or bind) is refused with its path, so a Sidecar is never half-applied without the user knowing.
/// </summary>
internal static class SidecarReader
{
    public static (SidecarResource? Sidecar, string? Error) Read(CustomObject item)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(item.Json));
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root
            || !root.Children.TryGetValue("spec", out var node) || node is not YamlMappingNode spec)
        {
            return (null, "spec: is required");
        }

        var errors = new List<string>();
        Dictionary<string, string>? selector = null;
        var hosts = new List<EgressHost>();
        foreach (var (key, value) in spec.Children)
        {
            switch (key.ToString())
            {
                case "workloadSelector":
                    selector = new Dictionary<string, string>(StringComparer.Ordinal);
                    if (value is YamlMappingNode w && w.Children.TryGetValue("labels", out var l) && l is YamlMappingNode labels)
                    {
                        foreach (var (name, label) in labels.Children)
                        {
                            selector[name.ToString()] = label.ToString();
                        }
                    }

                    break;
                case "egress" when value is YamlSequenceNode listeners:
                    var index = 0;
                    foreach (var listener in listeners)
                    {
                        ReadEgress(listener as YamlMappingNode ?? [], $"spec.egress[{index++}]", hosts, errors);
                    }

                    break;
                default:
                    errors.Add($"spec.{key}: is not implemented by Waylay (only workloadSelector and egress[].hosts are); remove it");
                    break;
            }
        }

        return errors.Count > 0
            ? (null, string.Join("; ", errors))
            : (new SidecarResource(item.Name, item.Namespace, item.Created, selector, hosts), null);
    }

    private static void ReadEgress(YamlMappingNode listener, string path, List<EgressHost> hosts, List<string> errors)
    {
        foreach (var key in listener.Children.Keys)
        {
            if (key.ToString() != "hosts")
            {
                errors.Add($"{path}.{key}: is not implemented by Waylay (only hosts is); remove it");
            }
        }

        if (!listener.Children.TryGetValue("hosts", out var node) || node is not YamlSequenceNode list || list.Children.Count == 0)
        {
            errors.Add($"{path}.hosts: is required (e.g. \"./*\" or \"istio-system/*\")");
            return;
        }

        var i = 0;
        foreach (var entry in list)
        {
            var text = entry is YamlScalarNode scalar ? scalar.Value ?? "" : "";
            var slash = text.IndexOf('/', StringComparison.Ordinal);
            var ns = slash > 0 ? text[..slash] : "";
            var dns = slash > 0 ? text[(slash + 1)..].ToLowerInvariant() : "";
            var nsOk = ns is "*" or "." or "~" || ExportTo.IsNamespaceName(ns);
            if (!nsOk || (dns != "*" && !HostName.IsValid(dns, allowWildcard: true)))
            {
                errors.Add($"{path}.hosts[{i}]: '{text}' is not namespace/dnsName (e.g. \"./*\", \"*/*\", \"prod/reviews.prod.svc.cluster.local\")");
            }
            else
            {
                hosts.Add(new EgressHost(ns, dns));
            }

            i++;
        }
    }
}
