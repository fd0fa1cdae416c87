using System.Collections.Concurrent;
using Waylay.Proxy.Connections;

namespace Waylay.Proxy.Telemetry;

/// <summary>Every live connection, for /connections, the idle sweep and the drain.</summary>
internal sealed class ConnectionRegistry
{
    private readonly ConcurrentDictionary<long, ConnectionContext> _live = new();
    private long _nextId;

    public int Count => _live.Count;

    public ICollection<ConnectionContext> Live => _live.Values;

    public long NextId() => Interlocked.Increment(ref _nextId);

    public void Add(ConnectionContext connection) => _live[connection.Id] = connection;

    public void Remove(ConnectionContext connection) => _live.TryRemove(connection.Id, out _);

    /// <summary>Closes every live connection (drain deadline, quitquitquit).</summary>
    /// <summary>Closes HTTP/1 connections that sit between requests (a drain cuts nothing by closing them).</summary>
    public void CloseIdleHttp()
    {
        foreach (var connection in _live.Values)
        {
            if (connection.IdleBetweenRequests)
            {
                connection.Close();
            }
        }
    }

    public void CloseAll(RelayOutcome reason)
    {
        foreach (var connection in _live.Values)
        {
            connection.Outcome = reason;
            connection.Close();
        }
    }
}
