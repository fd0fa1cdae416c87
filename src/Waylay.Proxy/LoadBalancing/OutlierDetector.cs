using System.Collections.Concurrent;
using System.Net;
using Waylay.Mesh.Networking;

namespace Waylay.Proxy.LoadBalancing;

/// <summary>
/// Passive health checking for one upstream cluster, as Envoy's outlier detector does it under Istio's settings:
/// <code>
///   response 5xx ──► consecutive-5xx +1      any other response ──► reset to 0
///   502/503/504  ──► consecutive-gateway +1  any other response ──► reset to 0
///   connect failure, reset ──► counted as a 503; per-try timeout ──► as a 504 (split_external_local_origin_errors: false)
///   a counter reaches its threshold ──► eject now, unless that would put more than maxEjectionPercent of hosts out
///   every interval ──► bring back hosts ejected for baseEjectionTime × their ejection count (capped at 300s),
///                      and let a healthy host's ejection count decay by one
/// </code>
/// Reports come from every request thread: counters are Interlocked, only an ejection or a sweep takes the lock.
/// </summary>
internal sealed class OutlierDetector : IDisposable
{
    private readonly OutlierDetectionPolicy _policy;
    private readonly TimeProvider _time;
    private readonly ITimer _timer;
    private readonly Lock _lock = new();
    private ConcurrentDictionary<IPEndPoint, HostState> _hosts = new();
    private int _ejected;
    private long _totalEjections;

    public OutlierDetector(OutlierDetectionPolicy policy, TimeProvider time, IEnumerable<IPEndPoint> hosts)
    {
        _policy = policy;
        _time = time;
        SetHosts(hosts);
        _timer = time.CreateTimer(static state => ((OutlierDetector)state!).Sweep(), this, policy.Interval, policy.Interval);
    }

    public OutlierDetectionPolicy Policy => _policy;

    /// <summary>Hosts out of the pool right now.</summary>
    public int EjectedCount => Volatile.Read(ref _ejected);

    /// <summary>Ejections since start (Envoy's <c>outlier_detection.ejections_enforced_total</c>).</summary>
    public long TotalEjections => Volatile.Read(ref _totalEjections);

    /// <summary>Replaces the host set after a config or endpoint change; hosts that stay keep their state.</summary>
    public void SetHosts(IEnumerable<IPEndPoint> hosts)
    {
        lock (_lock)
        {
            var next = new ConcurrentDictionary<IPEndPoint, HostState>();
            var ejected = 0;
            foreach (var host in hosts)
            {
                var state = _hosts.TryGetValue(host, out var old) ? old : new HostState();
                next[host] = state;
                ejected += state.Ejected ? 1 : 0;
            }

            _hosts = next;
            Volatile.Write(ref _ejected, ejected);
        }
    }

    public bool IsEjected(IPEndPoint host) => _hosts.TryGetValue(host, out var state) && state.Ejected;

    /// <summary>How many times <paramref name="host"/> has been ejected without decaying back (its ejection-time multiplier).</summary>
    public int EjectionMultiplier(IPEndPoint host) => _hosts.TryGetValue(host, out var state) ? state.Multiplier : 0;

    /// <summary>Records the status of a response <paramref name="host"/> sent.</summary>
    public void ReportStatus(IPEndPoint host, int status)
    {
        if (!_hosts.TryGetValue(host, out var state) || state.Ejected)
        {
            return;
        }

        var fiveXx = status is >= 500 and <= 599;
        var gateway = status is 502 or 503 or 504;
        var eject = false;
        if (fiveXx)
        {
            var count = Interlocked.Increment(ref state.Consecutive5xx);
            eject |= _policy.Consecutive5xxErrors > 0 && count >= _policy.Consecutive5xxErrors;
        }
        else if (Volatile.Read(ref state.Consecutive5xx) != 0)
        {
            Volatile.Write(ref state.Consecutive5xx, 0);
        }

        if (gateway)
        {
            var count = Interlocked.Increment(ref state.ConsecutiveGateway);
            eject |= _policy.ConsecutiveGatewayErrors > 0 && count >= _policy.ConsecutiveGatewayErrors;
        }
        else if (Volatile.Read(ref state.ConsecutiveGateway) != 0)
        {
            Volatile.Write(ref state.ConsecutiveGateway, 0);
        }

        if (eject)
        {
            TryEject(state);
        }
    }

    /// <summary>Records a try that ended without a response, as the status Envoy turns it into.</summary>
    public void ReportFailure(IPEndPoint host, UpstreamFailure failure) =>
        ReportStatus(host, failure == UpstreamFailure.PerTryTimeout ? 504 : 503);

    /// <summary>The interval tick; public so a caller may force one (tests drive it through the TimeProvider).</summary>
    public void Sweep()
    {
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            foreach (var state in _hosts.Values)
            {
                if (!state.Ejected)
                {
                    if (state.Multiplier > 0)
                    {
                        state.Multiplier--;
                    }

                    continue;
                }

                var ejectFor = _policy.BaseEjectionTime * state.Multiplier;
                if (ejectFor > _policy.MaxEjectionTime)
                {
                    ejectFor = _policy.MaxEjectionTime;
                }

                if (now - state.EjectedAt >= ejectFor)
                {
                    state.Consecutive5xx = 0;
                    state.ConsecutiveGateway = 0;
                    state.Ejected = false;
                    _ejected--;
                }
            }
        }
    }

    private void TryEject(HostState state)
    {
        lock (_lock)
        {
            if (state.Ejected)
            {
                return;
            }

            // Envoy: eject only while (ejected + 1) / hosts stays within max_ejection_percent.
            if (100.0 * (_ejected + 1) / _hosts.Count > _policy.MaxEjectionPercent)
            {
                return;
            }

            state.Ejected = true;
            state.EjectedAt = _time.GetUtcNow();
            if (_policy.BaseEjectionTime * (state.Multiplier + 1) <= _policy.MaxEjectionTime)
            {
                state.Multiplier++;
            }
            else if (state.Multiplier == 0)
            {
                state.Multiplier = 1;
            }

            _ejected++;
            _totalEjections++;
        }
    }

    public void Dispose() => _timer.Dispose();

    private sealed class HostState
    {
        public int Consecutive5xx;
        public int ConsecutiveGateway;
        public volatile bool Ejected;
        public DateTimeOffset EjectedAt;
        public int Multiplier;
    }
}
