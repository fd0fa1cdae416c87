using System.Collections.Concurrent;

namespace Waylay.Proxy.Tests.Http2;

/// <summary>How a test backend misbehaves, set by the test at any time.</summary>
internal enum BackendFault
{
    None,

    /// <summary>gRPC calls read their request, then fail with UNAVAILABLE (a trailers-only answer).</summary>
    Unavailable,

    /// <summary>Every request is answered HTTP 503 before gRPC sees it.</summary>
    Http503,

    /// <summary>Unary calls read their request, then never answer (until the call is cancelled).</summary>
    Hang,

    /// <summary>Every request's stream is reset (RST_STREAM) before any response.</summary>
    Reset,
}

/// <summary>What one test backend saw (every request, the unary messages) and the fault it is told to show.</summary>
internal sealed class BackendProbe
{
    private readonly ConcurrentDictionary<string, int> _connections = new();
    private int _requests;

    public BackendFault Fault { get; set; }

    /// <summary>Requests (tries) that reached the backend, whatever became of them.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>The request message of every unary call, as received.</summary>
    public ConcurrentQueue<byte[]> Messages { get; } = new();

    /// <summary>The h2 connections those requests came on.</summary>
    public int Connections => _connections.Count;

    public void Saw(string connectionId)
    {
        Interlocked.Increment(ref _requests);
        _connections.AddOrUpdate(connectionId, 1, static (_, n) => n + 1);
    }
}
