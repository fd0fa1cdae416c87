using Waylay.Discovery.V1;
using Waylay.Mesh;
using Waylay.Mesh.Networking;

namespace Waylay.Control.Registry.Scoping;

/// <summary>
/// What decides a proxy's view in one snapshot, as Istio's SidecarScope does:
/// <code>
///   proxy (namespace, labels) ─► its Sidecar: a selecting one of its namespace, else the namespace's selector-less
///   one, else the root namespace's selector-less one, else none ─► scope key (namespace + Sidecar)
///   scope key ─► services exported to the namespace and in the Sidecar's egress hosts ─► their endpoints,
///   the VirtualServices likewise, one DestinationRule per host (the proxy's namespace, then the service's, then root)
/// </code>
/// Proxies with one scope key get one view; workloads are not scoped (inbound telemetry names peers of any namespace).
/// </summary>
internal sealed class MeshScope(MeshModel mesh, NetworkingConfig networking, IReadOnlyList<SidecarResource> sidecars, string rootNamespace)
{
    private readonly Dictionary<string, Service> _byHost = mesh.Services.ToDictionary(s => HostName.ForService(s.Name, s.Namespace), StringComparer.Ordinal);

    public string RootNamespace => rootNamespace;

    public IReadOnlyList<SidecarResource> Sidecars => sidecars;

    /// <summary>
    /// What decides views beyond the resources' own content (which the type hashes cover): the Sidecars and the
    /// Services' exportTo annotations, which the service resources do not carry. Equal signatures, equal views.
    /// </summary>
    public string Signature { get; } = string.Join("\n", sidecars
        .Select(s => $"{s.Key}|{s.Created:O}|{(s.Selector is null ? "-" : string.Join(",", s.Selector.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}")))}|{string.Join(",", s.Hosts)}")
        .Concat(mesh.Services.Where(s => s.ExportTo.Count > 0).Select(s => $"{s.Key}>{string.Join(",", s.ExportTo)}")));

    /// <summary>The Sidecar that applies to a proxy, Istio's preference order; ties go to the oldest, then by name.</summary>
    public SidecarResource? SidecarFor(Node node)
    {
        if (sidecars.Count == 0)
        {
            return null; // the common case, asked on every push to every proxy
        }

        SidecarResource? Oldest(IEnumerable<SidecarResource> candidates) => candidates
            .OrderBy(s => s.Created ?? DateTimeOffset.MaxValue).ThenBy(s => s.Name, StringComparer.Ordinal).FirstOrDefault();

        var ns = node.Namespace;
        var selecting = sidecars.Where(s => s.Namespace == ns && s.Selector is not null).ToList();
        var labels = selecting.Count > 0 ? LabelsOf(node) : null;
        return Oldest(selecting.Where(s => s.Selects(labels!)))
            ?? Oldest(sidecars.Where(s => s.Namespace == ns && s.Selector is null))
            ?? Oldest(sidecars.Where(s => s.Namespace == rootNamespace && s.Selector is null));
    }

    /// <summary>The labels a proxy is selected by: those it sent, else its workload's from the mesh (pod.namespace).</summary>
    private IReadOnlyDictionary<string, string> LabelsOf(Node node)
    {
        if (node.Labels.Count > 0)
        {
            return node.Labels;
        }

        var workload = mesh.Workloads.FirstOrDefault(w => w.Name == node.PodName && w.Namespace == node.Namespace);
        return workload?.Labels ?? new Dictionary<string, string>();
    }

    /// <summary>The resource names of each type a proxy in <paramref name="ns"/> under <paramref name="sidecar"/> receives.</summary>
    public ScopedNames Select(string ns, SidecarResource? sidecar)
    {
        var services = new List<string>();
        var hosts = new List<string>();
        foreach (var service in mesh.Services)
        {
            var host = HostName.ForService(service.Name, service.Namespace);
            if (ExportTo.Visible(service.ExportTo, service.Namespace, ns) && (sidecar is null || sidecar.Allows(service.Namespace, host, ns)))
            {
                services.Add(service.Key);
                hosts.Add(host);
            }
        }

        var virtualServices = new List<string>();
        foreach (var vs in networking.VirtualServices)
        {
            if (ExportTo.Visible(vs.ExportTo, vs.Namespace, ns) && (sidecar is null || vs.Hosts.Any(h => sidecar.Allows(vs.Namespace, h, ns))))
            {
                virtualServices.Add(vs.Key);
            }
        }

        return new ScopedNames(services, virtualServices, DestinationRules(ns, sidecar, hosts));
    }

    private List<string> DestinationRules(string ns, SidecarResource? sidecar, List<string> visibleHosts)
    {
        var byHost = new Dictionary<string, List<DestinationRule>>(StringComparer.Ordinal);
        foreach (var rule in networking.DestinationRules)
        {
            if (!ExportTo.Visible(rule.ExportTo, rule.Namespace, ns))
            {
                continue;
            }

            if (!byHost.TryGetValue(rule.Host, out var list))
            {
                byHost[rule.Host] = list = [];
            }

            list.Add(rule);
        }

        var chosen = new List<string>();
        foreach (var (host, rules) in byHost)
        {
            var serviceNamespace = _byHost.TryGetValue(host, out var service) ? service.Namespace : null;
            var winner = rules.FirstOrDefault(r => r.Namespace == ns)
                ?? rules.FirstOrDefault(r => r.Namespace == serviceNamespace)
                ?? rules.FirstOrDefault(r => r.Namespace == rootNamespace);
            if (winner is not null && (sidecar is null || visibleHosts.Any(h => HostName.Covers(host, h))))
            {
                chosen.Add(winner.Key);
            }
        }

        return chosen;
    }
}

/// <summary>The names of one view's resources per scoped type.</summary>
internal sealed record ScopedNames(IReadOnlyList<string> Services, IReadOnlyList<string> VirtualServices, IReadOnlyList<string> DestinationRules);
