using System.Collections.Concurrent;

namespace Waylay.Proxy.Http.Http2;

/// <summary>The h2c upstream connections open now, for <c>/connections</c>.</summary>
internal sealed class Http2UpstreamConnections
{
    private readonly ConcurrentDictionary<long, Http2UpstreamConnection> _open = new();

    public ICollection<Http2UpstreamConnection> Open => _open.Values;

    public void Add(Http2UpstreamConnection connection) => _open[connection.Id] = connection;

    public void Remove(Http2UpstreamConnection connection) => _open.TryRemove(connection.Id, out _);
}
