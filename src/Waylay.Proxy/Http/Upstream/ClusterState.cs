using System.Net;
using Waylay.Mesh.Networking;
using Waylay.Proxy.LoadBalancing;
using Waylay.Proxy.Routing;

namespace Waylay.Proxy.Http.Upstream;

/// <summary>
/// What outlives a config snapshot for one Envoy cluster (<c>outbound|9080|v1|reviews.default.svc.cluster.local</c>):
/// its members (the service's healthy endpoints the subset selects), the round-robin position, the outlier detector's
/// ejections and the connection-pool limits. A reload that changes the policy replaces the detector; one that only
/// changes endpoints keeps every surviving host's state (Envoy keeps host state across EDS updates).
/// </summary>
internal sealed class ClusterState(string name, TimeProvider time) : IDisposable
{
    private readonly Lock _lock = new();
    private ServiceRoute? _service;
    private Subset? _subset;
    private ClusterPolicy? _policy;
    private EndpointStats[] _members = [];
    private OutlierDetector? _detector;
    private PoolLimiter _limiter = PoolLimiter.Unlimited;
    private RequestLimiter _requests = RequestLimiter.Unlimited;
    private int _next;

    public string Name { get; } = name;

    public OutlierDetector? Detector => Volatile.Read(ref _detector);

    public PoolLimiter Limiter => Volatile.Read(ref _limiter);

    /// <summary>Requests in flight to the cluster (<c>http2MaxRequests</c>); new pool settings start a new count (tries in flight end on the old one).</summary>
    public RequestLimiter Requests => Volatile.Read(ref _requests);

    /// <summary>
    /// The members for this snapshot's service and subset; rebuilt only when the snapshot or the policy changed, so
    /// the steady state is two reference compares.
    /// </summary>
    public EndpointStats[] Members(ServiceRoute service, Subset? subset, ClusterPolicy policy)
    {
        if (ReferenceEquals(Volatile.Read(ref _service), service) && ReferenceEquals(_subset, subset) && ReferenceEquals(_policy, policy))
        {
            return Volatile.Read(ref _members);
        }

        lock (_lock)
        {
            if (!ReferenceEquals(_service, service) || !ReferenceEquals(_subset, subset))
            {
                var members = new List<EndpointStats>();
                foreach (var endpoint in service.Healthy)
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

            _subset = subset;
            _policy = policy;
            Volatile.Write(ref _service, service);
            return _members;
        }
    }

    /// <summary>The next round-robin position; wraps without a sign problem.</summary>
    public uint NextIndex() => (uint)Interlocked.Increment(ref _next);

    public void Dispose() => _detector?.Dispose();

    private static IEnumerable<IPEndPoint> Addresses(EndpointStats[] members) => members.Select(m => m.Address);
}
