using System.Net;
using Waylay.Mesh;
using Waylay.Proxy.Io;

namespace Waylay.Proxy.Connections;

/// <summary>
/// One downstream connection from accept to close: who connected, where they meant to go, what the router decided and
/// what the relay carried. It flows through every stage, is the row <c>/connections</c> shows, and its counters are
/// the only per-read state (plain fields updated with Interlocked, so the hot path allocates nothing). It is its own
/// <see cref="Closing"/> source: a source of its own was 48 bytes and a reference more per held connection
/// (docs/designs/proxy.md, "Memory"), for the same cancellation.
/// </summary>
internal sealed class ConnectionContext(long id, ListenerKind listener, ClientAddress client, long startTimestamp) : CancellationTokenSource
{
    private long _bytesToUpstream;
    private long _bytesToDownstream;
    private long _lastActivity = startTimestamp;
    private int _idleBetweenRequests;
    private object? _upstreamLocal; // an IPEndPoint, or the pooled HTTP/1 connection to ask for it
    private EpollSocket? _polled;
    private EpollSocket? _carrying;

    public long Id { get; } = id;

    // The small values as bytes, the original destination as its endpoint: a held connection keeps this object for
    // its life (docs/designs/proxy.md, "Memory").
    private readonly byte _listener = (byte)listener;
    private byte _direction;
    private byte _outcome;
    private IPEndPoint? _originalDestination;

    public ListenerKind Listener => (ListenerKind)_listener;

    public ClientAddress Client { get; } = client;

    public long StartTimestamp { get; } = startTimestamp;

    public IPEndPoint? LocalAddress { get; set; }

    public OriginalDestination.OriginalDestination? OriginalDestination
    {
        get => _originalDestination is { } endPoint ? new OriginalDestination.OriginalDestination(endPoint) : null;
        set => _originalDestination = value?.EndPoint;
    }

    public TrafficDirection Direction
    {
        get => (TrafficDirection)_direction;
        set => _direction = (byte)value;
    }

    /// <summary>The snapshot the connection was accepted under (its mesh model); it keeps it until it closes.</summary>
    public MeshModel? Snapshot { get; set; }

    /// <summary>"reviews.default", or "passthrough" / "inbound" when no service applies.</summary>
    public string ServiceKey { get; set; } = "unknown";

    /// <summary>
    /// Where the connection goes upstream: a TCP relay's one connection, or the pooled connection that carried an HTTP
    /// connection's latest request (so /connections and <c>waylay connections</c> show where the proxy sent it).
    /// </summary>
    public IPEndPoint? UpstreamAddress { get; set; }

    /// <summary>
    /// Where the connection comes from upstream: a TCP relay's, or the pooled HTTP/1 connection's (<see cref="UpstreamFrom"/>),
    /// which is read only when asked (/connections), not per request: null if that connection closed before anything
    /// asked (it was read at every connect before, ~72 B held per upstream connection for a rare look).
    /// </summary>
    public IPEndPoint? UpstreamLocalAddress
    {
        get => _upstreamLocal as IPEndPoint ?? (_upstreamLocal as IPooledUpstream)?.Local;
        set => _upstreamLocal = value;
    }

    /// <summary>The pooled connection that carries the latest request: where it goes, and (when asked) where it comes from.</summary>
    public void UpstreamFrom(IPooledUpstream upstream)
    {
        UpstreamAddress = upstream.Remote;
        _upstreamLocal = upstream;
    }

    public RelayOutcome Outcome
    {
        get => (RelayOutcome)Volatile.Read(ref _outcome);
        set => Volatile.Write(ref _outcome, (byte)value);
    }

    /// <summary>
    /// Cancelled by the idle sweep, a forced drain or quitquitquit (<see cref="Close"/>): the relay closes both sides.
    /// </summary>
    public CancellationTokenSource Closing => this;

    /// <summary>The downstream socket while it is on Waylay's event loop (HTTP/1), else null.</summary>
    public EpollSocket? Polled => Volatile.Read(ref _polled);

    /// <summary>
    /// Closes the connection: cancels <see cref="Closing"/>, and the waits of its downstream socket while that is on
    /// Waylay's event loop (<see cref="Poll"/>) and of the upstream socket carrying its request (<see cref="Carry"/>).
    /// A connection that has ended already is left as it is.
    /// </summary>
    public void Close()
    {
        CancellationToken token;
        try
        {
            token = Closing.Token;
            Closing.Cancel();
        }
        catch (ObjectDisposedException)
        {
            return; // it ended meanwhile
        }

        Volatile.Read(ref _polled)?.CancelBoundWaits();
        Volatile.Read(ref _carrying)?.CancelWaits(token);
    }

    /// <summary>
    /// The pooled upstream socket carrying this connection's request now (null: the try is over). Its waits with the
    /// <see cref="Closing"/> token are bound as the downstream socket's are (<see cref="Poll"/>): nothing registers on
    /// the token per request, so a held connection keeps no registration table and free node on it (~140 bytes), and
    /// <see cref="Close"/> ends them. Close cancels only waits made with this connection's own token, so a socket it
    /// read just as the try ended and the pool gave it to another connection is left alone.
    /// </summary>
    public void Carry(EpollSocket? upstream)
    {
        if (upstream is null)
        {
            Interlocked.Exchange(ref _carrying, null)?.CancelWith(default);
            return;
        }

        var token = Closing.Token;
        upstream.CancelWith(token);
        Interlocked.Exchange(ref _carrying, upstream);
        if (token.IsCancellationRequested)
        {
            upstream.CancelWaits(token);
        }
    }

    /// <summary>
    /// The downstream socket is on Waylay's event loop (null: it left it): its waits with the <see cref="Closing"/>
    /// token are cancelled by <see cref="Close"/> directly, with nothing registered on the token.
    /// </summary>
    public void Poll(EpollSocket? socket)
    {
        socket?.CancelWith(Closing.Token);

        // Published with a full fence before the check: a Close that read no socket has cancelled already, and is seen.
        Interlocked.Exchange(ref _polled, socket);
        if (socket is not null && Closing.IsCancellationRequested)
        {
            socket.CancelBoundWaits();
        }
    }

    /// <summary>
    /// An HTTP/1 connection waiting for its client's next request: a drain may close it at once (no request is cut),
    /// as Envoy's drain closes idle HTTP/1 connections rather than waiting out the drain duration.
    /// </summary>
    public bool IdleBetweenRequests
    {
        get => Volatile.Read(ref _idleBetweenRequests) == 1;
        set => Volatile.Write(ref _idleBetweenRequests, value ? 1 : 0);
    }

    public long BytesToUpstream => Volatile.Read(ref _bytesToUpstream);

    public long BytesToDownstream => Volatile.Read(ref _bytesToDownstream);

    public long LastActivity => Volatile.Read(ref _lastActivity);

    public void AddBytes(bool toUpstream, long count, long now)
    {
        if (toUpstream)
        {
            Interlocked.Add(ref _bytesToUpstream, count);
        }
        else
        {
            Interlocked.Add(ref _bytesToDownstream, count);
        }

        Volatile.Write(ref _lastActivity, now);
    }
}
