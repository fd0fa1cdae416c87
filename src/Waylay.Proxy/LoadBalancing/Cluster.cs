using System.Net;
using Waylay.Mesh;
using Waylay.Mesh.Networking;

namespace Waylay.Proxy.LoadBalancing;

/// <summary>
/// One upstream cluster, Envoy's unit (<c>outbound|9080|v1|reviews.default.svc.cluster.local</c>): a service's healthy
/// endpoints the subset selects, the outlier detector's ejections, the connection-pool limits and the balancer. TCP
/// connections and HTTP requests to the same service and subset choose through the same cluster. It outlives config
/// snapshots: a reload that changes the policy replaces the detector; one that only changes endpoints keeps every
/// surviving host's state (Envoy keeps host state across EDS updates).
/// <code>
///   members ──► minus ejected hosts and the host a retry just tried ──► fewer than half left: all members (panic)
///           ──► the balancer picks one
/// </code>
/// </summary>
internal sealed class Cluster(string name, TimeProvider time) : IDisposable
{
    private readonly Lock _lock = new();
    private EndpointStats[]? _healthy;
    private Subset? _subset;
    private ClusterPolicy? _policy;
    private EndpointStats[] _members = [];
    private OutlierDetector? _detector;
    private PoolLimiter _limiter = PoolLimiter.Unlimited;
    private RequestLimiter _requests = RequestLimiter.Unlimited;
    private ILoadBalancer _balancer = new RoundRobinBalancer();

    public string Name { get; } = name;

    public OutlierDetector? Detector => Volatile.Read(ref _detector);

    public PoolLimiter Limiter => Volatile.Read(ref _limiter);

    /// <summary>Requests in flight to the cluster (<c>http2MaxRequests</c>); new pool settings start a new count (tries in flight end on the old one).</summary>
    public RequestLimiter Requests => Volatile.Read(ref _requests);

    public ILoadBalancer Balancer => Volatile.Read(ref _balancer);

    /// <summary>
    /// Brings the cluster up to a snapshot: <paramref name="healthy"/> is the service's healthy endpoints in that
    /// snapshot (a new array per snapshot), so the steady state is three reference compares.
    /// </summary>
    public void Update(EndpointStats[] healthy, Subset? subset, ClusterPolicy policy, LoadBalancerPolicy serviceDefault)
    {
        if (ReferenceEquals(Volatile.Read(ref _healthy), healthy) && ReferenceEquals(_subset, subset) && ReferenceEquals(_policy, policy))
        {
            return;
        }

        lock (_lock)
        {
            if (!ReferenceEquals(_healthy, healthy) || !ReferenceEquals(_subset, subset))
            {
                var members = new List<EndpointStats>();
                foreach (var endpoint in healthy)
                {
                    if (subset is null || subset.Selects(endpoint.Labels))
                    {
                        members.Add(endpoint);
                    }
                }

                Volatile.Write(ref _members, members.ToArray());
            }

            if (!Equals(_policy?.OutlierDetection, policy.OutlierDetection))
            {
                _detector?.Dispose();
                Volatile.Write(ref _detector, policy.OutlierDetection is { } outlier ? new OutlierDetector(outlier, time, Addresses(_members)) : null);
            }
            else
            {
                _detector?.SetHosts(Addresses(_members));
            }

            if (!Equals(_policy?.ConnectionPool, policy.ConnectionPool))
            {
                Volatile.Write(ref _limiter, PoolLimiter.For(policy.ConnectionPool));
                Volatile.Write(ref _requests, RequestLimiter.For(policy.ConnectionPool));
            }

            var balancer = LoadBalancers.NameOf(policy.LoadBalancer, serviceDefault);
            if (balancer != _balancer.Name)
            {
                Volatile.Write(ref _balancer, LoadBalancers.Create(balancer));
            }

            _subset = subset;
            _policy = policy;
            Volatile.Write(ref _healthy, healthy);
        }
    }

    /// <summary>
    /// One endpoint, or null when the cluster has no member. Envoy's panic threshold (50 %) applies: when fewer than
    /// half of the members are eligible, all members are, so an outage of most hosts spreads load instead of piling it
    /// onto the last one. <paramref name="exclude"/> is the host a retry just tried (Istio's previous_hosts predicate).
    /// </summary>
    public EndpointStats? Choose(Random random, EndpointStats? exclude = null)
    {
        var members = Volatile.Read(ref _members);
        if (members.Length == 0)
        {
            return null;
        }

        var detector = Detector;
        var eligible = members.Length;
        if (detector is not null || exclude is not null)
        {
            eligible = 0;
            foreach (var member in members)
            {
                eligible += Candidates.IsCandidate(member, detector, exclude) ? 1 : 0;
            }
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

        return Balancer.Pick(new Candidates(members, detector, exclude, eligible), random);
    }

    /// <summary>A response's status for outlier detection.</summary>
    public void Report(EndpointStats endpoint, int status) => Detector?.ReportStatus(endpoint.Address, status);

    public void ReportFailure(EndpointStats endpoint, UpstreamFailure failure) => Detector?.ReportFailure(endpoint.Address, failure);

    public void Dispose() => _detector?.Dispose();

    private static IEnumerable<IPEndPoint> Addresses(EndpointStats[] members) => members.Select(m => m.Address);
}
