using System.Buffers;
using System.Net.Sockets;

namespace Waylay.Proxy.Http;

/// <summary>
/// Istio's protocol sniffing for a captured connection, done with <c>MSG_PEEK</c> so it consumes nothing: whatever
/// the answer, the bytes are still in the socket, and an opaque connection goes to the L4 relay (and splice) as if
/// never looked at. A client that says nothing within the detection timeout (a server-first protocol such as MySQL
/// or SMTP) is opaque; a port declared HTTP waits for the client instead.
/// </summary>
internal sealed class ProtocolDetector(TimeSpan timeout, TimeProvider time)
{
    /// <summary>Enough for a request line with a long target, a TLS ClientHello with SNI, or the h2 preface.</summary>
    private const int PeekSize = 4096;

    /// <summary>Between peeks while a first segment is incomplete: peek returns at once when any byte is there.</summary>
    private static readonly TimeSpan Backoff = TimeSpan.FromMilliseconds(2);

    public TimeSpan Timeout { get; } = timeout;

    public async Task<SniffResult> DetectAsync(Socket socket, bool declaredHttp, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(PeekSize);
        using var deadline = declaredHttp ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline?.CancelAfter(Timeout);
        var token = deadline?.Token ?? cancellationToken;
        var seen = 0;
        try
        {
            while (true)
            {
                var count = await socket.ReceiveAsync(buffer.AsMemory(0, PeekSize), SocketFlags.Peek, token).ConfigureAwait(false);
                if (count == 0)
                {
                    // The client finished without a byte (or half-closed after a partial head): nothing to parse.
                    return new SniffResult(SniffedProtocol.Opaque);
                }

                var result = ProtocolSniffer.Sniff(buffer.AsSpan(0, count));
                if (result.Protocol != SniffedProtocol.NeedMoreData || count == PeekSize)
                {
                    return result.Protocol == SniffedProtocol.NeedMoreData ? new SniffResult(SniffedProtocol.Opaque) : result;
                }

                if (count == seen)
                {
                    await Task.Delay(Backoff, time, token).ConfigureAwait(false);
                }

                seen = count;
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new SniffResult(SniffedProtocol.Opaque);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
