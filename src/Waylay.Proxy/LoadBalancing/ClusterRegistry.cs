using System.Collections.Concurrent;

namespace Waylay.Proxy.LoadBalancing;

/// <summary>Every cluster the proxy has routed to, by Envoy name; shared by all snapshots (see <see cref="Cluster"/>).</summary>
internal sealed class ClusterRegistry(TimeProvider time) : IDisposable
{
    private readonly ConcurrentDictionary<string, Cluster> _clusters = new(StringComparer.Ordinal);

    public Cluster Get(string name) =>
        _clusters.TryGetValue(name, out var state) ? state : _clusters.GetOrAdd(name, static (n, t) => new Cluster(n, t), time);

    public ICollection<Cluster> All => _clusters.Values;

    /// <summary>A cluster some connection has used, without creating one (the admin API only looks).</summary>
    public bool TryGet(string name, out Cluster cluster) => _clusters.TryGetValue(name, out cluster!);

    public void Dispose()
    {
        foreach (var cluster in _clusters.Values)
        {
            cluster.Dispose();
        }
    }
}
