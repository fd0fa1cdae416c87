using Waylay.Mesh.Networking;
using Waylay.Proxy.LoadBalancing;
using Waylay.Proxy.Connections;

namespace Waylay.Proxy.Routing;

/// <summary>
/// The one endpoint choice, for a TCP connection and for each try of an HTTP request alike, as Envoy's cluster
/// manager makes it:
/// <code>
///   HTTP: not routed ──► 404 NR / 503 NC
///   destination host:port ──► the service (none: 503 NC) ──► its cluster (service, subset, port)
///   ──► Cluster.Choose: healthy members less ejected and just-tried hosts, through the cluster's balancer (none: 503 UH)
/// </code>
/// What a route target resolves to is cached on the target for the snapshot and port, so a request costs reference
/// compares and allocates nothing.
/// </summary>
internal sealed class UpstreamSelector(ClusterRegistry clusters)
{
    public ClusterRegistry Clusters { get; } = clusters;

    /// <summary>For one try of an HTTP request: the destination its route selected.</summary>
    public UpstreamChoice Choose(RouteTable table, in RouteSelection selection, Random random, EndpointStats? exclude = null) =>
        selection.Outcome == RouteOutcome.Routed
            ? Choose(table, selection.Target!, selection.DestinationPort, random, exclude)
            : UpstreamChoice.Fail(selection.StatusCode, selection.Outcome == RouteOutcome.NoRoute ? ResponseFlags.NoRouteFound : ResponseFlags.NoClusterFound);

    /// <summary>One destination (host and subset) on <paramref name="port"/>: a TCP route's, or an HTTP route's.</summary>
    public UpstreamChoice Choose(RouteTable table, RouteTarget target, ushort port, Random random, EndpointStats? exclude = null)
    {
        var resolved = target.Resolved;
        if (resolved is null || !ReferenceEquals(resolved.Table, table) || resolved.Port != port)
        {
            if (!table.TryGetService(target.Destination.Host, port, out var found))
            {
                return UpstreamChoice.Fail(503, ResponseFlags.NoClusterFound);
            }

            var clusterName = target.ClusterName(port);
            target.Resolved = resolved = new ResolvedTarget(table, port, found, Clusters.Get(clusterName), clusterName, target.PolicyFor(port));
        }

        var (service, cluster, name) = (resolved.Service, resolved.Cluster, resolved.ClusterName);
        cluster.Update(service.Healthy, target.Subset, resolved.Policy, service.Service.LoadBalancer);
        var endpoint = cluster.Choose(random, exclude);
        return endpoint is null
            ? new UpstreamChoice(503, ResponseFlags.NoHealthyUpstream, service, null, cluster, name)
            : new UpstreamChoice(0, ResponseFlags.None, service, endpoint, cluster, name);
    }

    /// <summary>A response's status for the cluster's outlier detection.</summary>
    public static void Report(in UpstreamChoice choice, int status)
    {
        if (choice is { Cluster: { } cluster, Endpoint: { } endpoint })
        {
            cluster.Report(endpoint, status);
        }
    }

    public static void ReportFailure(in UpstreamChoice choice, UpstreamFailure failure)
    {
        if (choice is { Cluster: { } cluster, Endpoint: { } endpoint })
        {
            cluster.ReportFailure(endpoint, failure);
        }
    }
}
