using Waylay.Proxy.Io;

namespace Waylay.Proxy.Routing;

/// <summary>
/// Istio's protocol sniffing for a captured connection, done with <c>MSG_PEEK</c> so it consumes nothing: whatever
/// the answer, the bytes are still in the socket, and an opaque connection goes to the L4 relay (and splice) as if
/// never looked at. A client that says nothing within the detection timeout (a server-first protocol such as MySQL
/// or SMTP) is opaque; a port declared HTTP waits for the client instead, and only tells h2c's preface from the rest
/// (<see cref="ProtocolSniffer.SniffDeclaredHttp"/>): a partial TLS record there is not waited on as if it might yet
/// be relayed.
/// </summary>
internal sealed class ProtocolDetector(TimeSpan timeout, TimeProvider time)
{
    /// <summary>Enough for a request line with a long target, a TLS ClientHello with SNI, or the h2 preface.</summary>
    private const int PeekSize = 4096;

    public TimeSpan Timeout { get; } = timeout;

    /// <summary>
    /// Where a wait for the client's first bytes ends when it says nothing: the detection timeout on a port not
    /// declared HTTP (a server-first protocol is opaque), none on a declared one (an HTTP client is waited for). Made
    /// only when a connection has to wait: most clients' first bytes come with the connection.
    /// </summary>
    public CancellationTokenSource? StartTimer(bool declaredHttp) => declaredHttp ? null : new CancellationTokenSource(Timeout, time);

    /// <summary>
    /// One peek and its verdict; NeedMoreData when nothing has come yet or too little to tell. A peek leaves the
    /// socket's readiness cleared, so a first segment too short to tell is followed by a wait for the next edge (new
    /// bytes), not by peeking the same bytes again; once decided the caller marks the socket readable (the bytes are
    /// still in it, and no edge will say so). Nothing is held while the client has not spoken: the peek buffer is taken
    /// here, after an edge, and given back before the next wait, and a port declared HTTP peeks into the stack (only
    /// the h2c preface is looked for there). A burst of 9,000 connections accepted before their requests came otherwise
    /// held 9,000 pooled 4 KiB buffers at once, the pool's misses among the sidecar's largest allocations
    /// (docs/benchmarks.md, "Sidecar memory: the burst's peak").
    /// </summary>
    public static SniffResult Peek(EpollSocket socket, bool declaredHttp)
    {
        if (declaredHttp)
        {
            Span<byte> preface = stackalloc byte[ProtocolSniffer.Http2PrefaceLength];
            return Verdict(socket, preface, declaredHttp: true);
        }

        var buffer = RentedBuffers.Rent(PeekSize);
        try
        {
            return Verdict(socket, buffer.AsSpan(0, PeekSize), declaredHttp: false);
        }
        finally
        {
            RentedBuffers.Return(buffer);
        }
    }

    private static SniffResult Verdict(EpollSocket socket, Span<byte> buffer, bool declaredHttp)
    {
        var count = socket.TryReceive(buffer, peek: true);
        if (count < 0)
        {
            return SniffResult.NeedMore;
        }

        if (count == 0)
        {
            // The client finished without a byte (or half-closed after a partial head): nothing to parse.
            return new SniffResult(SniffedProtocol.Opaque);
        }

        var result = declaredHttp ? ProtocolSniffer.SniffDeclaredHttp(buffer[..count]) : ProtocolSniffer.Sniff(buffer[..count]);
        if (result.Protocol == SniffedProtocol.NeedMoreData && socket.ReadClosed)
        {
            // The client finished after a partial head and will send nothing more (waiting would hang a port
            // declared HTTP, which has no detection timeout). On such a port it is an HTTP client that went
            // away mid-head, which the HTTP path closes without an answer, as Envoy does; elsewhere the
            // bytes go on as they are.
            return new SniffResult(declaredHttp ? SniffedProtocol.Http1 : SniffedProtocol.Opaque);
        }

        // A full peek that still cannot tell is opaque (a long line without a version, a huge ClientHello).
        return result.Protocol == SniffedProtocol.NeedMoreData && count == buffer.Length && !declaredHttp
            ? new SniffResult(SniffedProtocol.Opaque)
            : result;
    }
}
