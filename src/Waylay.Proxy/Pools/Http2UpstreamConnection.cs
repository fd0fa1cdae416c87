using System.Net;
using System.Net.Sockets;

namespace Waylay.Proxy.Pools;

/// <summary>
/// One pooled h2c connection to an upstream, as <c>/connections</c> shows it: where it goes, from where, since when,
/// and how many requests it has carried (the h2 twin of the HTTP/1 pool's rows: gRPC calls multiplexed on it).
/// It is the stream SocketsHttpHandler speaks through; writes pass through a frame counter, nothing is copied.
/// </summary>
internal sealed class Http2UpstreamConnection : NetworkStream
{
    private static long s_nextId;
    private readonly Http2UpstreamConnections _registry;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private Http2FrameCounter _frames;
    private long _lastActive;
    private int _disposed;

    public Http2UpstreamConnection(Socket socket, Http2UpstreamConnections registry, TimeProvider time)
        : base(socket, ownsSocket: true)
    {
        _registry = registry;
        _time = time;
        Remote = (IPEndPoint)socket.RemoteEndPoint!;
        Local = (IPEndPoint)socket.LocalEndPoint!;
        Created = time.GetTimestamp();
        _lastActive = Created;
        registry.Add(this);
    }

    public long Id { get; } = Interlocked.Increment(ref s_nextId);

    public IPEndPoint Remote { get; }

    public IPEndPoint Local { get; }

    /// <summary>The URI host the handler pooled it under (<see cref="Http2PoolHost"/>).</summary>
    public string? PoolHost { get; init; }

    public long Created { get; }

    public long LastActive => Volatile.Read(ref _lastActive);

    public long Requests
    {
        get
        {
            lock (_lock)
            {
                return _frames.Requests;
            }
        }
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Count(buffer.Span);
        return base.WriteAsync(buffer, cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Count(buffer);
        base.Write(buffer);
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    protected override void Dispose(bool disposing)
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _registry.Remove(this);
        }

        base.Dispose(disposing);
    }

    private void Count(ReadOnlySpan<byte> bytes)
    {
        // SocketsHttpHandler writes one buffer at a time per connection; the lock only orders it against readers.
        lock (_lock)
        {
            _frames.Written(bytes);
        }

        Volatile.Write(ref _lastActive, _time.GetTimestamp());
    }
}
