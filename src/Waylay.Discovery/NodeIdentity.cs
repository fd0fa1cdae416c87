using System.Collections;
using Waylay.Discovery.V1;

namespace Waylay.Discovery;

/// <summary>
/// Who this proxy is, from the env the injector sets through the downward API (src/Waylay.Inject's template:
/// POD_NAME, POD_NAMESPACE, INSTANCE_IP, SERVICE_ACCOUNT, ISTIO_META_*) and, as in Istio, the pod's labels from the
/// downward-API file <c>/etc/istio/pod/labels</c> when it is mounted (<c>key="value"</c> per line).
/// </summary>
public static class NodeIdentity
{
    public const string LabelsFile = "/etc/istio/pod/labels";

    public static Node FromEnvironment(string? instanceIp, string proxyVersion, string labelsFile = LabelsFile)
    {
        var pod = Environment.GetEnvironmentVariable("POD_NAME") is { Length: > 0 } name ? name : Environment.MachineName;
        var ns = Environment.GetEnvironmentVariable("POD_NAMESPACE") is { Length: > 0 } n ? n : "default";
        var node = new Node
        {
            Id = $"{pod}.{ns}",
            PodName = pod,
            Namespace = ns,
            ServiceAccount = Environment.GetEnvironmentVariable("SERVICE_ACCOUNT") ?? "",
            ProxyVersion = proxyVersion,
        };
        if ((instanceIp ?? Environment.GetEnvironmentVariable("INSTANCE_IP")) is { Length: > 0 } ip)
        {
            node.Ips.Add(ip);
        }

        foreach (DictionaryEntry variable in Environment.GetEnvironmentVariables())
        {
            var key = (string)variable.Key;
            foreach (var prefix in (string[])["ISTIO_META_", "WAYLAY_META_"])
            {
                if (key.StartsWith(prefix, StringComparison.Ordinal))
                {
                    node.Metadata[key[prefix.Length..]] = (string?)variable.Value ?? "";
                }
            }
        }

        foreach (var (key, value) in ReadLabels(labelsFile))
        {
            node.Labels[key] = value;
        }

        return node;
    }

    /// <summary>The downward API's labels file: one <c>key="value"</c> per line, values quoted and escaped as Go strings.</summary>
    public static IEnumerable<KeyValuePair<string, string>> ReadLabels(string path)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            yield break; // not mounted: the control plane still knows the pod's labels from its registry
        }

        foreach (var line in lines)
        {
            var eq = line.IndexOf('=');
            if (eq > 0)
            {
                yield return new(line[..eq], line[(eq + 1)..].Trim('"').Replace("\\\"", "\"", StringComparison.Ordinal));
            }
        }
    }
}
