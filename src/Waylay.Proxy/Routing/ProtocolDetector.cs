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
    /// Peeks until the first bytes say what they are. A peek leaves the socket's readiness cleared, so a first segment
    /// too short to tell is followed by a wait for the next edge (new bytes), not by peeking the same bytes again.
    /// Whatever the answer, the socket is left marked readable: the bytes are still in it, and no edge will say so.
    /// Nothing is held while the client has not spoken: the peek buffer is taken only when an edge says bytes came,
    /// and given back before the next wait, and a port declared HTTP peeks into the stack (only the h2c preface is
    /// looked for there). A burst of 9,000 connections accepted before their requests came otherwise held 9,000 pooled
    /// 4 KiB buffers at once, the pool's misses among the sidecar's largest allocations (docs/benchmarks.md, "Sidecar
    /// memory: the burst's peak"). The bytes usually came with the connection: then this completes without a wait,
    /// an async state machine, a timer or a linked token.
    /// </summary>
    public ValueTask<SniffResult> DetectAsync(EpollSocket socket, bool declaredHttp, CancellationToken cancellationToken)
    {
        if (socket.MayRead)
        {
            var first = Peek(socket, declaredHttp);
            if (first.Protocol != SniffedProtocol.NeedMoreData)
            {
                socket.MarkReadable();
                return new ValueTask<SniffResult>(first);
            }
        }

        return new ValueTask<SniffResult>(WaitAndDetectAsync(socket, declaredHttp, cancellationToken));
    }

    private async Task<SniffResult> WaitAndDetectAsync(EpollSocket socket, bool declaredHttp, CancellationToken cancellationToken)
    {
        using var timer = declaredHttp ? null : new CancellationTokenSource(Timeout, time);
        using var deadline = timer is null ? null : CancellationTokenSource.CreateLinkedTokenSource(timer.Token, cancellationToken);
        var token = deadline?.Token ?? cancellationToken;
        try
        {
            while (true)
            {
                await socket.WaitReadableAsync(token).ConfigureAwait(false);
                var result = Peek(socket, declaredHttp);
                if (result.Protocol != SniffedProtocol.NeedMoreData)
                {
                    return result;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new SniffResult(SniffedProtocol.Opaque);
        }
        finally
        {
            socket.MarkReadable();
        }
    }

    /// <summary>One peek and its verdict; NeedMoreData when nothing has come yet or too little to tell.</summary>
    private static SniffResult Peek(EpollSocket socket, bool declaredHttp)
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
