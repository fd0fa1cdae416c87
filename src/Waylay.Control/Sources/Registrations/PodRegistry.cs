using k8s.Models;
using Waylay.Discovery.V1;

namespace Waylay.Control.Sources.Registrations;

/// <summary>
/// Pods a runtime reported through the Registration service (the node runtime's kubelet role), held as the Pod
/// objects a cluster would have, so the same model builder and endpoint controller serve them as pods from files.
/// A pod is keyed "namespace/name"; STOPPED removes it, READY / NOT_READY set its Ready condition.
/// </summary>
internal sealed class PodRegistry
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, V1Pod> _pods = new(StringComparer.Ordinal);

    /// <summary>Raised after any change; handlers must not block.</summary>
    public event Action? Changed;

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _pods.Count;
            }
        }
    }

    /// <summary>Applies one event; returns the problem (for the caller's INVALID_ARGUMENT) or null.</summary>
    public string? Report(PodEvent report)
    {
        if (report.Name.Length == 0)
        {
            return "name is required: the pod's metadata.name";
        }

        if (report.Phase == PodEvent.Types.Phase.Unspecified)
        {
            return "phase is required: STARTED, READY, NOT_READY or STOPPED";
        }

        foreach (var ip in report.Ips)
        {
            if (!System.Net.IPAddress.TryParse(ip, out _))
            {
                return $"ips: '{ip}' is not an IP address";
            }
        }

        var ns = report.Namespace.Length > 0 ? report.Namespace : "default";
        var key = $"{ns}/{report.Name}";
        lock (_lock)
        {
            if (report.Phase == PodEvent.Types.Phase.Stopped)
            {
                _pods.Remove(key);
            }
            else
            {
                _pods[key] = ToPod(report, ns, _pods.TryGetValue(key, out var known) ? known : null);
            }
        }

        Changed?.Invoke();
        return null;
    }

    public V1Pod[] Pods()
    {
        lock (_lock)
        {
            return [.. _pods.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Value)];
        }
    }

    private static V1Pod ToPod(PodEvent report, string ns, V1Pod? known)
    {
        // STARTED is not ready yet; READY and NOT_READY say so. A later event without IPs or labels keeps the earlier ones.
        var ready = report.Phase == PodEvent.Types.Phase.Ready;
        var ips = report.Ips.Count > 0 ? [.. report.Ips] : known?.Status?.PodIPs?.Select(p => p.Ip).ToList() ?? [];
        var labels = report.Labels.Count > 0 ? new Dictionary<string, string>(report.Labels) : known?.Metadata?.Labels ?? new Dictionary<string, string>();
        return new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = report.Name, NamespaceProperty = ns, Labels = labels },
            Spec = new V1PodSpec
            {
                ServiceAccountName = report.ServiceAccount.Length > 0 ? report.ServiceAccount : known?.Spec?.ServiceAccountName,
                NodeName = report.Node.Length > 0 ? report.Node : known?.Spec?.NodeName,
                Containers = [],
            },
            Status = new V1PodStatus
            {
                Phase = "Running",
                PodIP = ips.FirstOrDefault(),
                PodIPs = [.. ips.Select(ip => new V1PodIP { Ip = ip })],
                Conditions = [new V1PodCondition { Type = "Ready", Status = ready ? "True" : "False" }],
            },
        };
    }
}
