using System.Collections.Concurrent;

namespace Waylay.Control.Discovery;

/// <summary>The connected proxies; each stream adds itself on its first request and removes itself when it ends.</summary>
internal sealed class ProxyConnections
{
    private readonly ConcurrentDictionary<ProxyConnection, bool> _all = new();

    public int Count => _all.Count;

    /// <summary>
    /// At most this many large responses (a stream's first full sets) are written at once, as istiod's
    /// PILOT_PUSH_THROTTLE does: each write is buffered whole by the HTTP/2 stack, so 1,000 proxies connecting together
    /// would otherwise hold 1,000 copies of the full set in transport buffers.
    /// </summary>
    public SemaphoreSlim LargeWrites { get; } = new(32);

    public IEnumerable<ProxyConnection> All => _all.Keys;

    public void Add(ProxyConnection connection) => _all[connection] = true;

    public void Remove(ProxyConnection connection) => _all.TryRemove(connection, out _);

    /// <summary>Tells every stream to compare its sent versions with the new snapshot.</summary>
    public void WakeAll()
    {
        foreach (var connection in _all.Keys)
        {
            connection.Wake.Writer.TryWrite(true);
        }
    }
}
