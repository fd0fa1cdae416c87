using System.Net;
using Waylay.Mesh;
using Waylay.Proxy.LoadBalancing;

namespace Waylay.Proxy.Connections;

/// <summary>
/// One downstream connection from accept to close: who connected, where they meant to go, what the router decided and
/// what the relay carried. It flows through every stage, is the row <c>/connections</c> shows, and its counters are
/// the only per-read state (plain fields updated with Interlocked, so the hot path allocates nothing).
/// </summary>
internal sealed class ConnectionContext(long id, ListenerKind listener, ClientAddress client, long startTimestamp)
{
    private long _bytesToUpstream;
    private long _bytesToDownstream;
    private long _lastActivity = startTimestamp;
    private int _idleBetweenRequests;
    private object? _upstreamLocal; // an IPEndPoint, or the pooled HTTP/1 connection to ask for it

    public long Id { get; } = id;

    public ListenerKind Listener { get; } = listener;

    public ClientAddress Client { get; } = client;

    public long StartTimestamp { get; } = startTimestamp;

    public IPEndPoint? LocalAddress { get; set; }

    public OriginalDestination.OriginalDestination? OriginalDestination { get; set; }

    public TrafficDirection Direction { get; set; }

    /// <summary>The snapshot the connection was accepted under (its mesh model); it keeps it until it closes.</summary>
    public MeshModel? Snapshot { get; set; }

    /// <summary>"reviews.default", or "passthrough" / "inbound" when no service applies.</summary>
    public string ServiceKey { get; set; } = "unknown";

    public EndpointStats? Endpoint { get; set; }

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

    public RelayOutcome Outcome { get; set; } = RelayOutcome.Open;

    /// <summary>Cancelled by the idle sweep, a forced drain or quitquitquit: the relay closes both sides.</summary>
    public CancellationTokenSource Closing { get; } = new();

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
