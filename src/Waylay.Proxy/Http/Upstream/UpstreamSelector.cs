using Waylay.Mesh.Networking;
using Waylay.Proxy.Http.Routing;
using Waylay.Proxy.LoadBalancing;
using Waylay.Proxy.Routing;
using Waylay.Proxy.Telemetry.Http;

namespace Waylay.Proxy.Http.Upstream;

/// <summary>
/// Turns a route selection into one endpoint, as Envoy's cluster manager does for a request:
/// <code>
///   not routed ──► 404 NR / 503 NC
///   destination host:port ──► the service (none: 503 NC) ──► its healthy endpoints the subset selects (none: 503 UH)
///   minus ejected hosts (outlier detection) and the hosts already tried (Istio's previous_hosts retry predicate)
///   ──► the cluster's balancer: ROUND_ROBIN, LEAST_REQUEST (two random choices by requests in flight), RANDOM
/// </code>
/// Envoy's panic threshold (50 %) applies: when fewer than half of the members are eligible, all members are, so an
/// outage of most hosts spreads load instead of piling it onto the last one. Nothing here allocates per request.
/// </summary>
internal sealed class UpstreamSelector(ClusterRegistry clusters)
{
    public ClusterRegistry Clusters { get; } = clusters;

    public UpstreamChoice Choose(RouteTable table, in RouteSelection selection, Random random, EndpointStats? exclude = null)
    {
        if (selection.Outcome != RouteOutcome.Routed)
        {
            return UpstreamChoice.Fail(selection.StatusCode,
                selection.Outcome == RouteOutcome.NoRoute ? ResponseFlags.NoRouteFound : ResponseFlags.NoClusterFound);
        }

        var target = selection.Target!;
        var port = selection.DestinationPort;
        var resolved = target.Resolved;
        if (resolved is null || !ReferenceEquals(resolved.Table, table) || resolved.Port != port)
        {
            if (!table.TryGetService(target.Destination.Host, port, out var found))
            {
                return UpstreamChoice.Fail(503, ResponseFlags.NoClusterFound);
            }

            var clusterName = target.ClusterName(port);
            target.Resolved = resolved = new ResolvedTarget(table, port, found, Clusters.Get(clusterName), clusterName, selection.Policy);
        }

        var (service, cluster, name, policy) = (resolved.Service, resolved.Cluster, resolved.ClusterName, resolved.Policy);
        var members = cluster.Members(service, target.Subset, policy);
        var endpoint = Pick(members, cluster, policy.LoadBalancer, random, exclude);
        return endpoint is null
            ? new UpstreamChoice(503, ResponseFlags.NoHealthyUpstream, service, null, cluster, name)
            : new UpstreamChoice(0, ResponseFlags.None, service, endpoint, cluster, name);
    }

    /// <summary>A response's status for the cluster's outlier detection.</summary>
    public static void Report(in UpstreamChoice choice, int status)
    {
        if (choice is { Cluster.Detector: { } detector, Endpoint: { } endpoint })
        {
            detector.ReportStatus(endpoint.Address, status);
        }
    }

    public static void ReportFailure(in UpstreamChoice choice, UpstreamFailure failure)
    {
        if (choice is { Cluster.Detector: { } detector, Endpoint: { } endpoint })
        {
            detector.ReportFailure(endpoint.Address, failure);
        }
    }

    private static EndpointStats? Pick(EndpointStats[] members, ClusterState cluster, LoadBalancerKind kind, Random random, EndpointStats? exclude)
    {
        if (members.Length == 0)
        {
            return null;
        }

        var detector = cluster.Detector;
        var eligible = 0;
        foreach (var member in members)
        {
            eligible += IsEligible(member, detector, exclude) ? 1 : 0;
        }

        if (eligible * 2 < members.Length || eligible == 0)
        {
            // Panic (or every member already tried): all members are eligible again, still avoiding the one just tried.
            (detector, eligible) = (null, members.Length);
            if (exclude is not null && members.Length > 1 && Array.IndexOf(members, exclude) >= 0)
            {
                eligible--;
            }
            else
            {
                exclude = null;
            }
        }

        switch (kind)
        {
            case LoadBalancerKind.Random:
                return Nth(members, detector, exclude, random.Next(eligible));
            case LoadBalancerKind.LeastRequest:
                if (eligible == 1)
                {
                    return Nth(members, detector, exclude, 0);
                }

                var a = random.Next(eligible);
                var b = random.Next(eligible - 1);
                b += b >= a ? 1 : 0;
                var first = Nth(members, detector, exclude, a);
                var second = Nth(members, detector, exclude, b);
                return second.RequestsActive < first.RequestsActive ? second : first;
            default:
                return Nth(members, detector, exclude, (int)(cluster.NextIndex() % (uint)eligible));
        }
    }

    private static bool IsEligible(EndpointStats member, OutlierDetector? detector, EndpointStats? exclude) =>
        !ReferenceEquals(member, exclude) && (detector is null || !detector.IsEjected(member.Address));

    /// <summary>The n-th eligible member; an ejection racing with the count makes it the last eligible one instead.</summary>
    private static EndpointStats Nth(EndpointStats[] members, OutlierDetector? detector, EndpointStats? exclude, int n)
    {
        var last = members[0];
        foreach (var member in members)
        {
            if (IsEligible(member, detector, exclude))
            {
                if (n-- == 0)
                {
                    return member;
                }

                last = member;
            }
        }

        return last;
    }
}
