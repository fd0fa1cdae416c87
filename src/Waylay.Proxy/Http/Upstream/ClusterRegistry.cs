using System.Collections.Concurrent;

namespace Waylay.Proxy.Http.Upstream;

/// <summary>Every cluster the proxy has routed to, by Envoy name; shared by all snapshots (see <see cref="ClusterState"/>).</summary>
internal sealed class ClusterRegistry(TimeProvider time) : IDisposable
{
    private readonly ConcurrentDictionary<string, ClusterState> _clusters = new(StringComparer.Ordinal);

    public ClusterState Get(string name) =>
        _clusters.TryGetValue(name, out var state) ? state : _clusters.GetOrAdd(name, static (n, t) => new ClusterState(n, t), time);

    public ICollection<ClusterState> All => _clusters.Values;

    public void Dispose()
    {
        foreach (var cluster in _clusters.Values)
        {
            cluster.Dispose();
        }
    }
}
