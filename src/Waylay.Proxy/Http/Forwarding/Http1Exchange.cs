using System.Net;
using Waylay.Proxy.Http.Headers;
using Waylay.Proxy.Http.Http1;
using Waylay.Proxy.Io;
using Waylay.Proxy.Telemetry.Http;
using Waylay.Proxy.Connections;

namespace Waylay.Proxy.Http.Forwarding;

/// <summary>
/// What one request/response exchange has gathered for its telemetry by the time it ends. An HTTP/1 connection
/// carries one exchange at a time: it takes one for its first request, <see cref="Begin"/>s it again per request
/// (nothing holds it past <c>Complete</c>, which copies what telemetry keeps), and gives it back while it waits for
/// the next, so a held idle connection does not keep these 440 bytes (docs/designs/proxy.md, "Memory").
/// </summary>
internal sealed class Http1Exchange
{
    private static readonly IdlePool<Http1Exchange> Idle = new();

    [ThreadStatic]
    private static Http1Exchange? _threadIdle;

    /// <summary>
    /// The request head's parser, and the head it fills: the exchange's, so that a connection waiting for its next
    /// request holds neither (~190 bytes per held connection, docs/designs/proxy.md, "Memory"). Rented with the
    /// exchange when the head's first bytes come, kept across the reads of a head that arrives in pieces.
    /// </summary>
    public Http1RequestParser Parser { get; } = new();

    /// <summary>
    /// The response's parser (and head) and body reader, for the pooled upstream connection carrying the request: the
    /// exchange's rather than the connection's, so an idle pooled connection holds none of them (~220 bytes each).
    /// </summary>
    public Http1ResponseParser ResponseParser { get; } = new();

    public Http1BodyReader ResponseBody { get; } = new();

    public long Start { get; private set; }

    public DateTimeOffset StartTime { get; private set; }

    /// <summary>A field, not a property: decorated in place by <c>ref</c> and written by <c>in</c>, never copied per request.</summary>
    public ProxyFields Fields;

    public IstioLabels? Labels { get; set; }

    public string? RouteName { get; set; }

    public string? Cluster { get; set; }

    public IPEndPoint? UpstreamHost { get; set; }

    public IPEndPoint? UpstreamLocal { get; set; }

    public TimeSpan? UpstreamServiceTime { get; set; }

    public int Status { get; set; }

    public ResponseFlags Flags { get; set; }

    public long RequestBytes { get; set; }

    public long ResponseBytes { get; set; }

    /// <summary>A 1xx from an upstream went downstream: Envoy then retries no more (the client saw that try's answer begin).</summary>
    public bool InterimForwarded { get; set; }

    /// <summary>An exchange for a connection's request: an idle one (as many as a burst had in flight are kept), or a new one.</summary>
    public static Http1Exchange Rent() => Idle.TryRent(ref _threadIdle, out var idle) ? idle : new Http1Exchange();

    /// <summary>Back for another connection's request; what the last request referenced is let go first.</summary>
    public static void Return(Http1Exchange exchange)
    {
        exchange.Begin(0, default);
        exchange.Parser.Reset();
        exchange.Parser.Head.Release(); // the head's buffers back to their pool too
        exchange.ResponseParser.Reset();
        exchange.ResponseParser.Head.Release();
        Idle.Return(ref _threadIdle, exchange);
    }

    /// <summary>Everything back to a new request's start; the proxy's fields are decorated into <see cref="Fields"/> next.</summary>
    public void Begin(long start, DateTimeOffset startTime)
    {
        (Start, StartTime) = (start, startTime);
        Fields = default;
        (Labels, RouteName, Cluster, UpstreamHost, UpstreamLocal, UpstreamServiceTime) = (null, null, null, null, null, null);
        (Status, Flags, RequestBytes, ResponseBytes, InterimForwarded) = (0, ResponseFlags.None, 0, 0, false);
    }
}
