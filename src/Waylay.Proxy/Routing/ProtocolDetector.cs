using System.Buffers;
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
    /// </summary>
    public async Task<SniffResult> DetectAsync(EpollSocket socket, bool declaredHttp, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(PeekSize);
        using var timer = declaredHttp ? null : new CancellationTokenSource(Timeout, time);
        using var deadline = timer is null ? null : CancellationTokenSource.CreateLinkedTokenSource(timer.Token, cancellationToken);
        var token = deadline?.Token ?? cancellationToken;
        try
        {
            while (true)
            {
                var count = socket.TryReceive(buffer.AsSpan(0, PeekSize), peek: true);
                if (count < 0)
                {
                    await socket.WaitReadableAsync(token).ConfigureAwait(false);
                    continue;
                }

                if (count == 0)
                {
                    // The client finished without a byte (or half-closed after a partial head): nothing to parse.
                    return new SniffResult(SniffedProtocol.Opaque);
                }

                var result = declaredHttp ? ProtocolSniffer.SniffDeclaredHttp(buffer.AsSpan(0, count)) : ProtocolSniffer.Sniff(buffer.AsSpan(0, count));
                if (result.Protocol == SniffedProtocol.NeedMoreData && socket.ReadClosed)
                {
                    // The client finished after a partial head and will send nothing more (waiting would hang a port
                    // declared HTTP, which has no detection timeout). On such a port it is an HTTP client that went
                    // away mid-head, which the HTTP path closes without an answer, as Envoy does; elsewhere the
                    // bytes go on as they are.
                    return new SniffResult(declaredHttp ? SniffedProtocol.Http1 : SniffedProtocol.Opaque);
                }

                if (result.Protocol != SniffedProtocol.NeedMoreData || count == PeekSize)
                {
                    return result.Protocol == SniffedProtocol.NeedMoreData ? new SniffResult(SniffedProtocol.Opaque) : result;
                }

                await socket.WaitReadableAsync(token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new SniffResult(SniffedProtocol.Opaque);
        }
        finally
        {
            socket.MarkReadable();
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
