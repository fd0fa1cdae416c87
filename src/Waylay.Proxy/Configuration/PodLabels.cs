using System.Text;
using Waylay.Mesh;

namespace Waylay.Proxy.Configuration;

/// <summary>
/// A gateway proxy's own pod labels, which decide the Gateways it serves. Istio's gateway reads them from the
/// downward-API file its deployment mounts (<c>/etc/istio/pod/labels</c>, volume <c>istio-podinfo</c>/<c>podinfo</c>:
/// <c>key="value"</c> per line) and sends them to istiod as node metadata; Waylay reads the same file. Without it, the
/// mesh model's workload at this pod's address names them (the registration a control plane keeps).
/// </summary>
internal static class PodLabels
{
    public const string DefaultPath = "/etc/istio/pod/labels";

    public static (IReadOnlyDictionary<string, string> Labels, string Source) Resolve(string path, MeshModel model, PodAddresses pod)
    {
        if (File.Exists(path))
        {
            return (Parse(File.ReadAllText(path)), path);
        }

        foreach (var workload in model.Workloads)
        {
            if (workload.Addresses.Any(pod.IsOwn))
            {
                return (workload.Labels, $"the mesh workload {workload.Name}.{workload.Namespace}");
            }
        }

        return (new Dictionary<string, string>(), $"nowhere: {path} does not exist and no mesh workload has this pod's address");
    }

    /// <summary>The kubelet's format: <c>key="value"</c> per line, the value quoted as Go's strconv.Quote does.</summary>
    public static Dictionary<string, string> Parse(string text)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            var eq = line.IndexOf('=');
            if (eq <= 0)
            {
                continue;
            }

            var value = line[(eq + 1)..];
            labels[line[..eq]] = value.Length >= 2 && value[0] == '"' && value[^1] == '"' ? Unquote(value[1..^1]) : value;
        }

        return labels;
    }

    private static string Unquote(string quoted)
    {
        if (!quoted.Contains('\\'))
        {
            return quoted;
        }

        var text = new StringBuilder(quoted.Length);
        for (var i = 0; i < quoted.Length; i++)
        {
            text.Append(quoted[i] == '\\' && i + 1 < quoted.Length ? quoted[++i] : quoted[i]);
        }

        return text.ToString();
    }
}
