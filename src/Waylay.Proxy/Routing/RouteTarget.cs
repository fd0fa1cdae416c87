using System.Collections.Frozen;
using Waylay.Mesh.Networking;

namespace Waylay.Proxy.Routing;

/// <summary>
/// One destination of a compiled route, resolved against the DestinationRules once at build time: its subset (the
/// label selector the core filters endpoints with), its traffic policy per port, and its header edits.
/// </summary>
internal sealed class RouteTarget
{
    private readonly FrozenDictionary<ushort, ClusterPolicy> _portPolicies;

    internal RouteTarget(Destination destination, int weight, DestinationRule? rule, HeaderEdits requestEdits, HeaderEdits responseEdits)
    {
        Destination = destination;
        Weight = weight;
        Rule = rule;
        RequestEdits = requestEdits;
        ResponseEdits = responseEdits;
        Subset = destination.Subset is { } name ? rule?.FindSubset(name) : null;
        IsMissingSubset = destination.Subset is not null && Subset is null;

        var ports = new Dictionary<ushort, ClusterPolicy>();
        foreach (var policy in (ReadOnlySpan<TrafficPolicy?>)[rule?.TrafficPolicy, Subset?.TrafficPolicy])
        {
            foreach (var entry in policy?.PortLevelSettings ?? [])
            {
                ports[entry.Port] = TrafficPolicy.Effective(rule?.TrafficPolicy, Subset?.TrafficPolicy, entry.Port);
            }
        }

        _portPolicies = ports.ToFrozenDictionary();
        DefaultPolicy = TrafficPolicy.Effective(rule?.TrafficPolicy, Subset?.TrafficPolicy, null);
    }

    public Destination Destination { get; }

    public int Weight { get; }

    /// <summary>The DestinationRule for the destination host, if any.</summary>
    public DestinationRule? Rule { get; }

    /// <summary>The subset the route names, resolved; null when it names none (then every endpoint of the host is eligible).</summary>
    public Subset? Subset { get; }

    /// <summary>The route names a subset no DestinationRule defines: Envoy answers such requests 503 (NC, no cluster).</summary>
    public bool IsMissingSubset { get; }

    public HeaderEdits RequestEdits { get; }

    public HeaderEdits ResponseEdits { get; }

    public ClusterPolicy DefaultPolicy { get; }

    /// <summary>The destination port: the route's, else the port the request came in on.</summary>
    public ushort PortFor(ushort requestPort) => Destination.Port ?? requestPort;

    /// <summary>The traffic policy for a connection to this destination on <paramref name="port"/>.</summary>
    public ClusterPolicy PolicyFor(ushort port) => _portPolicies.TryGetValue(port, out var policy) ? policy : DefaultPolicy;

    /// <summary>Envoy's cluster name, <c>outbound|9080|v1|reviews.default.svc.cluster.local</c>: the key for pools, stats and outlier state.</summary>
    public string ClusterName(ushort port) => $"outbound|{port}|{Destination.Subset}|{Destination.Host}";

    /// <summary>UpstreamSelector's cache of what this target last resolved to (it checks the snapshot and port).</summary>
    internal ResolvedTarget? Resolved { get; set; }

    public override string ToString() => $"{Destination} weight {Weight}";
}
