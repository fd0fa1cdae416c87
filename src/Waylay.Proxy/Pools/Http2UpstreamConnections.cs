using System.Collections.Concurrent;

namespace Waylay.Proxy.Pools;

/// <summary>The h2c upstream connections open now, for <c>/connections</c> and for retiring a pool's.</summary>
internal sealed class Http2UpstreamConnections
{
    private readonly ConcurrentDictionary<long, Http2UpstreamConnection> _open = new();

    public ICollection<Http2UpstreamConnection> Open => _open.Values;

    public void Add(Http2UpstreamConnection connection) => _open[connection.Id] = connection;

    public void Remove(Http2UpstreamConnection connection) => _open.TryRemove(connection.Id, out _);

    /// <summary>Closes the connections of a retired pool (<see cref="Http2ConnectionRotation"/>); the handler sees them end.</summary>
    public void Close(string poolHost)
    {
        foreach (var connection in _open.Values)
        {
            if (connection.PoolHost == poolHost)
            {
                connection.Dispose();
            }
        }
    }
}
