using System.IO.Pipelines;
using System.Net;
using Waylay.Proxy.Connections;
using Waylay.Proxy.Io;
using Waylay.Proxy.LoadBalancing;

namespace Waylay.Proxy.Pools;

/// <summary>
/// One keep-alive connection to an upstream endpoint, carrying one HTTP/1.1 request at a time. The response's parser,
/// head and body reader are the request's (<c>Http1Exchange</c>, pooled), not the connection's: an idle pooled
/// connection kept ~220 bytes of them (docs/designs/proxy.md, "Memory"). <c>/connections</c> lists these with the requests each carried:
/// the long-lived upstream connections of the seed's <c>lsof -i</c>.
/// </summary>
internal sealed class Http1UpstreamConnection : IPooledUpstream, IAsyncDisposable
{
    private static long s_nextId;
    private long _requests;
    private long _lastUsed;
    private int _busy;
    private readonly EpollSocket _polled;
    private IPEndPoint? _local;

    public Http1UpstreamConnection(EpollSocket polled, IPEndPoint target, EndpointStats? endpoint, long now)
    {
        _polled = polled;
        Endpoint = endpoint;
        Remote = target;
        Reader = new SocketPipeReader(polled);
        Writer = new SocketPipeWriter(polled);
        Created = now;
        _lastUsed = now;
    }

    public long Id { get; } = Interlocked.Increment(ref s_nextId);

    /// <summary>The connection's socket (a bare descriptor on Waylay's loop: shut down with it, never closed but by <see cref="DisposeAsync"/>).</summary>
    public EpollSocket Socket => _polled;

    /// <summary>The pool's idle stack this connection returns to (its endpoint, source and loop).</summary>
    public System.Collections.Concurrent.ConcurrentStack<Http1UpstreamConnection>? Home { get; set; }

    /// <summary>The event loop this connection's I/O runs on (its pool is per loop).</summary>
    public EpollLoop Loop => _polled.Loop;

    /// <summary>The socket's reader (its own type: the try awaits <see cref="SocketPipeReader.ReadCanceledAsync"/>, 40 bytes less per request in flight).</summary>
    public SocketPipeReader Reader { get; }

    public PipeWriter Writer { get; }

    public EndpointStats? Endpoint { get; }

    public IPEndPoint Remote { get; }

    /// <summary>
    /// Where the connection comes from, read (getsockname) the first time something asks: the access log's detail,
    /// /connections. Most connections are never asked, and a connect no longer makes the endpoint at once. Null when
    /// the connection closed before anything asked.
    /// </summary>
    public IPEndPoint? Local => _local ??= _polled.LocalEndPoint();

    public long Created { get; }

    public long Requests => Volatile.Read(ref _requests);

    public long LastUsed => Volatile.Read(ref _lastUsed);

    public bool Busy => Volatile.Read(ref _busy) == 1;

    public void Begin()
    {
        Volatile.Write(ref _busy, 1);
        Interlocked.Increment(ref _requests);
    }

    public void End(long now)
    {
        Volatile.Write(ref _lastUsed, now);
        Volatile.Write(ref _busy, 0);
    }

    /// <summary>
    /// An idle keep-alive connection the server has closed shows as readable with nothing to read; taking it would
    /// turn the next request into a reset. Anything readable while idle is also a protocol error: drop it too.
    /// </summary>
    public bool LooksAlive() => !_polled.PollReadable();

    public async ValueTask DisposeAsync()
    {
        _polled.Dispose();
        await Reader.CompleteAsync().ConfigureAwait(false);
        await Writer.CompleteAsync().ConfigureAwait(false);
        _polled.Close();
    }
}
