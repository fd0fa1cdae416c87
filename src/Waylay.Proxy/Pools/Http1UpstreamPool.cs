using System.Collections.Concurrent;
using System.Net;
using System.Runtime.CompilerServices;
using Waylay.Proxy.Io;
using Waylay.Proxy.LoadBalancing;
using Waylay.Proxy.Connections;

namespace Waylay.Proxy.Pools;

/// <summary>
/// Idle keep-alive HTTP/1.1 connections per upstream (address, source), most recently used first so a few stay warm
/// and the rest age out. A connection comes back only after a complete response with keep-alive, under
/// <c>maxRequestsPerConnection</c>; one idle past <c>idleTimeout</c> (default 1 h, Envoy's) is closed when met.
/// Idle connections are kept per event loop, as Envoy keeps its pools per worker thread: a request's upstream is on
/// its downstream's loop, so the exchange never hops threads (a hop is a wake-up of the other loop per response).
/// </summary>
internal sealed class Http1UpstreamPool(UpstreamConnector connector, TimeProvider time) : IAsyncDisposable
{
    private static readonly TimeSpan DefaultIdleTimeout = TimeSpan.FromHours(1);
    private readonly ConcurrentDictionary<IdleKey, ConcurrentStack<Http1UpstreamConnection>> _idle = new();
    private readonly ConcurrentDictionary<long, Http1UpstreamConnection> _open = new();

    /// <summary>Every upstream connection open now, busy or idle (for <c>/connections</c>).</summary>
    public ICollection<Http1UpstreamConnection> Open => _open.Values;

    /// <summary>
    /// A connection for one request: the most recently used idle one that is still good, else a new one. An idle one
    /// answers at once, without an async method's machinery: that is most requests. A new one's connect is carried by
    /// <paramref name="carrier"/> while it waits (<see cref="ConnectionContext.Carry"/>): a wait on that connection's
    /// closing token then registers nothing on it (a registration left the token's table and a free node, ~140 bytes,
    /// for as long as the downstream connection stayed open), and its close ends the wait.
    /// </summary>
    public ValueTask<(Http1UpstreamConnection? Connection, RelayOutcome Failure, bool Reused)> GetAsync(
        IPEndPoint target, IPEndPoint? source, EndpointStats? endpoint, TimeSpan? idleTimeout, bool verifyIdle, bool fresh, EpollLoop? loop,
        ConnectionContext? carrier, CancellationToken cancellationToken)
    {
        loop ??= EpollLoop.Next();
        Http1UpstreamConnection? stale = null;
        if (!fresh && _idle.TryGetValue(new IdleKey(target, source, loop), out var stack) && stack.TryPop(out var idle))
        {
            // Checking an idle connection costs a poll(2) per request: done only for a request with a body, so that one
            // is not sent where the server is known to have closed already (RFC 9112 §9.3.1: a non-idempotent request is
            // resent only when it was never applied). A request that meets a connection the server closed all the same
            // (a bodiless one, or a body still kept for a resend) goes out again on a fresh one.
            if ((!verifyIdle || idle.LooksAlive()) && time.GetElapsedTime(idle.LastUsed) < (idleTimeout ?? DefaultIdleTimeout))
            {
                idle.Begin();
                return new((idle, RelayOutcome.Open, true));
            }

            stale = idle;
        }

        return GetSlowAsync(target, source, endpoint, idleTimeout, verifyIdle, loop, stale, carrier, cancellationToken);
    }

    /// <summary>After an idle connection that was no longer good: closed, then the next idle one is tried. With none: a new one.</summary>
    private async ValueTask<(Http1UpstreamConnection? Connection, RelayOutcome Failure, bool Reused)> GetSlowAsync(
        IPEndPoint target, IPEndPoint? source, EndpointStats? endpoint, TimeSpan? idleTimeout, bool verifyIdle, EpollLoop loop,
        Http1UpstreamConnection? stale, ConnectionContext? carrier, CancellationToken cancellationToken)
    {
        if (stale is not null)
        {
            await CloseAsync(stale).ConfigureAwait(false);
            return await GetAsync(target, source, endpoint, idleTimeout, verifyIdle, fresh: false, loop, carrier, cancellationToken).ConfigureAwait(false);
        }

        // The connect is awaited here, not in a method of its own: one async level for a new connection.
        var connect = connector.StartPolled(target, source, loop, cancellationToken);
        if (connect.Socket is not { } socket)
        {
            return (null, connect.Failure, false);
        }

        Exception? waitFailure = null;
        carrier?.Carry(socket);
        try
        {
            await connect.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or System.Net.Sockets.SocketException)
        {
            waitFailure = e;
        }
        finally
        {
            carrier?.Carry(null);
        }

        if (connect.Finish(waitFailure) is var failure && failure != RelayOutcome.Open)
        {
            return (null, failure, false);
        }

        endpoint?.Opened();
        var connection = new Http1UpstreamConnection(socket, target, endpoint, time.GetTimestamp());
        _open[connection.Id] = connection;
        connection.Begin();
        return (connection, RelayOutcome.Open, false);
    }

    /// <summary>Back to the pool when reusable (at once, nothing to await), else closed.</summary>
    public ValueTask ReleaseAsync(Http1UpstreamConnection connection, IPEndPoint? source, bool reusable, int? maxRequestsPerConnection)
    {
        if (reusable && (maxRequestsPerConnection is not { } max || connection.Requests < max))
        {
            connection.End(time.GetTimestamp());
            // A connection always goes back to the same stack: looked up once, not per request.
            (connection.Home ??= _idle.GetOrAdd(new IdleKey(connection.Remote, source, connection.Loop), static _ => new ConcurrentStack<Http1UpstreamConnection>())).Push(connection);
            return ValueTask.CompletedTask;
        }

        return CloseAsync(connection);
    }

    public async ValueTask CloseAsync(Http1UpstreamConnection connection)
    {
        if (_open.TryRemove(connection.Id, out _))
        {
            connection.Endpoint?.Closed();
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Where idle connections wait: upstream, source, loop. A struct of its own, not a tuple of references, whose
    /// shared generic code looked up its equality comparers at run time on every request.
    /// </summary>
    private readonly record struct IdleKey(IPEndPoint Target, IPEndPoint? Source, EpollLoop Loop)
    {
        public bool Equals(IdleKey other) => ReferenceEquals(Loop, other.Loop) && Target.Equals(other.Target) && Equals(Source, other.Source);

        public override int GetHashCode() => HashCode.Combine(Target.GetHashCode(), Source?.GetHashCode() ?? 0, RuntimeHelpers.GetHashCode(Loop));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in _open.Values)
        {
            await CloseAsync(connection).ConfigureAwait(false);
        }
    }
}
