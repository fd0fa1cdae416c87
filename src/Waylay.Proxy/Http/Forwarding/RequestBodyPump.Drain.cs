using System.Buffers;
using System.Net.Sockets;
using Waylay.Proxy.Http.Http1;
using Waylay.Proxy.Http.Policy;

namespace Waylay.Proxy.Http.Forwarding;

/// <summary>
/// The rest of a body whose exchange is already answered (a server that answered before reading it all: a 413, a
/// redirect, a 200 that ignores uploads). The response went out without <c>connection: close</c>, so a client that
/// sent its whole body may send its next request on this connection: the proxy reads the rest away and throws it
/// out, bounded, as Kestrel's request draining does, and keeps the connection only when the body ended in time.
/// <code>
///   try over, its writer detached (the upstream connection is not reused) ─► DrainAsync: the pump resumes with no
///   writer, reads and discards ─► body end within 1 MiB and 5 s ─► keep-alive; else (limit, time, client gone) close
/// </code>
/// The pump stays the only reader of the client's connection, so nothing changes hands mid-read: the drain only
/// switches what it does with the bytes (under the gate, like an attach) and then waits for it to end.
/// </summary>
internal sealed partial class RequestBodyPump
{
    /// <summary>
    /// Payload bytes read away at most. Keeping the connection saves the client one new TCP connection (within the pod
    /// or the cluster); uploading megabytes that are thrown away costs it more than that. The same bound as the retry
    /// buffer's (<see cref="ReplayBuffer.EnvoyLimit"/>, Envoy's per-connection buffer limit).
    /// </summary>
    public const long DrainLimit = ReplayBuffer.EnvoyLimit;

    /// <summary>
    /// Kestrel's request drain timeout (5 s, not configurable there either): a client that stops mid-body, or
    /// uploads slowly, does not hold a connection (and its pump) much longer than its answer took.
    /// https://learn.microsoft.com/aspnet/core/fundamentals/servers/kestrel/request-draining
    /// </summary>
    public static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The exchange is answered but the body was not read to its end: reads the rest and discards it. True when the
    /// body ended within <see cref="DrainLimit"/> and <see cref="DrainTimeout"/> (the connection is in step for the
    /// next request); false when it did not, failed, or the client's connection was closed (then the connection
    /// closes, as before). Only after every try's writer was detached; <see cref="StopAsync"/> still follows.
    /// </summary>
    public async ValueTask<bool> DrainAsync(TimeProvider time)
    {
        if (_complete)
        {
            return true;
        }

        // A length known to be past the limit is not worth a byte.
        if (_length >= 0 && _length - BytesRead > DrainLimit)
        {
            return false;
        }

        await _gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        _discarding = true;
        _sink = null;
        _resume?.TrySetResult();
        _resume = null;
        if (_pump is null && !_complete)
        {
            _pump = RunAsync();
        }

        _gate.Release();
        if (_pump is null)
        {
            return _complete;
        }

        try
        {
            await _pump.WaitAsync(DrainTimeout, time, _cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // too slow: StopAsync ends the pump, the connection closes
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            // the client went away or the connection is being closed; StopAsync observes the pump's end
        }

        return _complete;
    }

    /// <summary>The drain's step: takes what <paramref name="buffer"/> holds of the body and drops it, up to the limit.</summary>
    private Step Discard(ref ReadOnlySequence<byte> buffer, bool isFinalBlock, out SequencePosition consumed, out SequencePosition examined)
    {
        while (true)
        {
            switch (_body.Read(buffer, isFinalBlock, out var data, out consumed, out examined, out _))
            {
                case Http1BodyStatus.Data:
                    _discarded += data.Length;
                    buffer = buffer.Slice(consumed);
                    if (_discarded > DrainLimit)
                    {
                        return Step.Overflow;
                    }

                    continue;
                case Http1BodyStatus.NeedMoreData:
                    return Step.NeedMoreData;
                case Http1BodyStatus.Complete:
                    return Step.Complete;
                default:
                    return Step.Error;
            }
        }
    }
}
