using Waylay.Mesh.Networking;
using Waylay.Proxy.LoadBalancing;

namespace Waylay.Proxy.Routing;

/// <summary>
/// What a route target names under one snapshot and destination port: the service (looked up by host name), the
/// cluster (pools, limits, outlier state; found by Envoy's cluster name) and the traffic policy for that port. Kept on the target by
/// <see cref="UpstreamSelector"/>, so a request costs two reference compares instead of hashing the host's name and
/// building nothing; a new snapshot brings new targets, and a target used on another port resolves again.
/// </summary>
internal sealed record ResolvedTarget(RouteTable Table, ushort Port, ServiceRoute Service, Cluster Cluster, string ClusterName, ClusterPolicy Policy);
