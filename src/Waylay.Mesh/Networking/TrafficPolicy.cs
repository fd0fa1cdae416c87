namespace Waylay.Mesh.Networking;

/// <summary>
/// A DestinationRule's (or a subset's) <c>trafficPolicy</c> as written: null fields are "not set here". Use
/// <see cref="Effective"/> for what a connection to one subset on one port gets.
/// </summary>
public sealed record TrafficPolicy(
    LoadBalancerKind? LoadBalancer,
    ConnectionPoolSettings? ConnectionPool,
    OutlierDetectionPolicy? OutlierDetection,
    IReadOnlyList<PortTrafficPolicy> PortLevelSettings)
{
    public static TrafficPolicy Empty { get; } = new(null, null, null, []);

    /// <summary>
    /// Istio's <c>MergeTrafficPolicy</c>: start from the rule's policy (its port-level entry for <paramref name="port"/>
    /// replacing it if there is one), let the subset's policy override field by field, and finally let the subset's
    /// port-level entry replace all of it. Port-level settings never inherit: what they leave out is the default.
    /// </summary>
    public static ClusterPolicy Effective(TrafficPolicy? rule, TrafficPolicy? subset, ushort? port)
    {
        var (lb, pool, outlier) = Apply(rule, port);
        if (subset is not null)
        {
            lb = subset.LoadBalancer ?? lb;
            pool = subset.ConnectionPool ?? pool;
            outlier = subset.OutlierDetection ?? outlier;
            if (FindPort(subset, port) is { } own)
            {
                (lb, pool, outlier) = (own.LoadBalancer, own.ConnectionPool, own.OutlierDetection);
            }
        }

        return new ClusterPolicy(lb ?? LoadBalancerKind.RoundRobin, pool ?? ConnectionPoolSettings.Unlimited, outlier);
    }

    private static (LoadBalancerKind?, ConnectionPoolSettings?, OutlierDetectionPolicy?) Apply(TrafficPolicy? policy, ushort? port)
    {
        if (policy is null)
        {
            return (null, null, null);
        }

        return FindPort(policy, port) is { } own
            ? (own.LoadBalancer, own.ConnectionPool, own.OutlierDetection)
            : (policy.LoadBalancer, policy.ConnectionPool, policy.OutlierDetection);
    }

    private static PortTrafficPolicy? FindPort(TrafficPolicy policy, ushort? port)
    {
        if (port is null)
        {
            return null;
        }

        foreach (var entry in policy.PortLevelSettings)
        {
            if (entry.Port == port)
            {
                return entry;
            }
        }

        return null;
    }
}

/// <summary><c>trafficPolicy.portLevelSettings[]</c>: a whole policy for one destination port.</summary>
public sealed record PortTrafficPolicy(
    ushort Port,
    LoadBalancerKind? LoadBalancer,
    ConnectionPoolSettings? ConnectionPool,
    OutlierDetectionPolicy? OutlierDetection);

/// <summary>What one upstream cluster (a host, a subset, a port) runs with, defaults applied. Outlier detection is off when null.</summary>
public sealed record ClusterPolicy(LoadBalancerKind LoadBalancer, ConnectionPoolSettings ConnectionPool, OutlierDetectionPolicy? OutlierDetection)
{
    public static ClusterPolicy Default { get; } = new(LoadBalancerKind.RoundRobin, ConnectionPoolSettings.Unlimited, null);
}
