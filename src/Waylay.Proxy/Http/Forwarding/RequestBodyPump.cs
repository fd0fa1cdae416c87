using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using Waylay.Proxy.Http.Http1;
using Waylay.Proxy.Http.Policy;

namespace Waylay.Proxy.Http.Forwarding;

/// <summary>
/// Streams one request body from the client to the upstream connection of the current try, re-framed as
/// <see cref="BodyCopier"/> does, while the try waits for the response head; and keeps what it sent in a
/// <see cref="ReplayBuffer"/>, so that a later try (a retry on another endpoint, or the same request on a new
/// connection after a pooled one turned out closed) can send it again before the rest follows. Envoy's router does
/// the same: it buffers the body for retries up to the connection's buffer limit and, past it, gives up retrying and
/// streams on.
/// <code>
///   client ─► Http1BodyReader ─► framed bytes ─┬─► the current try's upstream writer
///                                              └─► ReplayBuffer (≤ 1 MiB, else dropped: no more resends)
///   next try: Attach(writer) ─► the kept bytes again ─► then the client's next bytes
///   answered before the body's end: Drain ─► the rest read and dropped (≤ 1 MiB, 5 s), so the connection stays
/// </code>
/// Between tries the pump takes no byte from the client (it holds its last read unconsumed), so what was kept is
/// exactly what a new try must receive first. One pump per downstream connection, one body at a time.
/// <para>
/// The pump task and the try loop meet in two places. <c>_sync</c> (a lock, never held across an await) makes "take
/// the next piece of the body and keep it" atomic with a try's "stop taking more, and say whether all of it is kept".
/// <c>_gate</c> (held across a flush) lets one party at a time write to an upstream writer: the pump, or the flush of
/// a replay. A try that is over first cancels any flush into its writer (its server may have answered early and
/// stopped reading) and only then takes the gate, so it never waits on a server; the writer is discarded with its
/// connection afterwards.
/// </para>
/// </summary>
internal sealed partial class RequestBodyPump
{
    private readonly object _sync = new();
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Http1BodyReader _body = new();
    private readonly ReplayBuffer _kept = new();
    private PipeReader _input = null!;
    private bool _chunked;
    private CancellationToken _cancellationToken;

    // Under _sync: the pump stops taking body bytes (a try ended; the next one, if any, attaches again).
    private bool _frozen;

    // The client's body failed (ended early, malformed): it cannot be sent again.
    private bool _failed;

    // The client's body broke its framing (a bad chunk line, …): the request is refused with 400 if no answer began.
    private volatile Http1Error _malformed;

    // Under _gate.
    private PipeWriter? _sink;

    // Under _gate: the socket under _sink, shut down when the body turns out malformed (its request can never end).
    private Io.EpollSocket? _connection;
    private TaskCompletionSource? _resume;
    private bool _stopping;

    // Under _gate: the exchange is answered and the rest of the body is read away (RequestBodyPump.Drain.cs).
    private bool _discarding;

    // The pump's own: payload bytes read away by the drain.
    private long _discarded;

    // The body's declared length (-1: chunked), set at Start.
    private long _length;

    // Written under _gate, read by the tries without it.
    private volatile bool _complete;
    private volatile PipeWriter? _completedSink;

    private Task? _pump;
    private Task? _replay;
    private long _bytesRead;

    /// <summary>
    /// Why the client's body was refused mid-stream (its framing, never its end: a client gone is not malformed), or
    /// None. Once set, the try's upstream connection has been shut down and the pump has stopped.
    /// </summary>
    public Http1Error Malformed => _malformed;

    /// <summary>A body is being forwarded (between <see cref="Start"/> and <see cref="StopAsync"/>).</summary>
    public bool Active { get; private set; }

    /// <summary>Payload bytes taken from the client for this body, counted once however many tries it took.</summary>
    public long BytesRead => Volatile.Read(ref _bytesRead);

    /// <summary>Starts a new body; nothing is read until the first try attaches.</summary>
    public void Start(Http1RequestHead head, PipeReader input, CancellationToken cancellationToken)
    {
        _input = input;
        _chunked = head.Framing == BodyFraming.Chunked;
        _length = _chunked ? -1 : head.ContentLength;
        _cancellationToken = cancellationToken;
        _body.Start(head);
        _kept.Reset();
        (_frozen, _failed, _stopping, _sink, _resume, _completedSink, _pump, _replay, _bytesRead) = (false, false, false, null, null, null, null, null, 0);
        (_connection, _malformed) = (null, Http1Error.None);
        (_discarding, _discarded) = (false, 0);

        // A body that is over before it starts (Content-Length: 0) must not wait for a byte that never comes.
        _complete = _body.Read(ReadOnlySequence<byte>.Empty, false, out _, out _, out _, out _) == Http1BodyStatus.Complete;
        Active = true;
    }

    /// <summary>
    /// Checks the framing of the body bytes that came with the head (already read, not yet consumed), before the head
    /// goes anywhere: a chunked body whose first lines are malformed is refused without a byte reaching the app, as
    /// Envoy's codec refuses it before its router has an upstream connection. Only chunked bodies can be malformed
    /// (a length is in the head); nothing is consumed and no system call is made: bytes not received yet are the
    /// pump's to check as they come.
    /// </summary>
    public Http1Error CheckBuffered()
    {
        if (!_chunked || !_input.TryRead(out var read))
        {
            return Http1Error.None;
        }

        var buffer = read.Buffer;
        var error = Http1Error.None;
        while (_body.Read(buffer, false, out _, out var consumed, out _, out error) == Http1BodyStatus.Data)
        {
            buffer = buffer.Slice(consumed);
        }

        // Not consumed nor examined: the pump reads the same bytes again, from a reader started afresh.
        _input.AdvanceTo(read.Buffer.Start, read.Buffer.Start);
        _body.Start(BodyFraming.Chunked);
        return error;
    }

    /// <summary>
    /// The client's body has been taken to its end: the downstream connection is in step for its next request (its
    /// last bytes may still be on their way upstream).
    /// </summary>
    public bool ReadToEnd => _complete;

    /// <summary>Whether the whole body has been flushed into <paramref name="sink"/> (the request is done on that connection).</summary>
    public bool CompletedOn(PipeWriter sink) => _completedSink == sink;

    /// <summary>
    /// Whether a body of this size could be sent again if its connection turned out closed; one that may outgrow the
    /// buffer should not go out on a pooled connection the server may already have closed.
    /// </summary>
    public static bool MayFit(Http1RequestHead head) =>
        head.Framing == BodyFraming.ContentLength && head.ContentLength <= ReplayBuffer.EnvoyLimit;

    /// <summary>
    /// A try's head went out on <paramref name="sink"/>: what earlier tries sent follows at once (flushed in the
    /// background, so the try can read its response head meanwhile), then the rest as the client sends it.
    /// </summary>
    /// <param name="keep">On the first try: whether anything could ever be sent again (retries, or a reused connection); when not, nothing is kept.</param>
    /// <param name="connection">The socket under <paramref name="sink"/>: shut down if the client's body turns out malformed.</param>
    public async ValueTask AttachAsync(PipeWriter sink, bool keep, Io.EpollSocket? connection = null)
    {
        // Never long: the pump holds the gate only while writing to a try's writer, and every try that ended has
        // cancelled its flushes before this one starts.
        await _gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        var replay = false;
        try
        {
            lock (_sync)
            {
                if (!keep && _pump is null && !_complete)
                {
                    _kept.Drop();
                }

                _frozen = false;
            }

            (_sink, _connection) = (sink, connection);
            _completedSink = null;
            _resume?.TrySetResult();
            _resume = null;
            if (_kept.Length > 0)
            {
                _kept.CopyTo(sink);
                replay = true;
            }
            else if (_complete)
            {
                _completedSink = sink;
            }

            if (_pump is null && !_complete)
            {
                _pump = RunAsync();
            }

            if (replay)
            {
                // Still under the gate, which the flush releases: the pump's next bytes come after the replay.
                _replay = FlushReplayAsync(sink);
            }
        }
        finally
        {
            if (!replay)
            {
                _gate.Release();
            }
        }
    }

    /// <summary>
    /// The try on <paramref name="sink"/> (null: it never connected) failed and the request is to go out again:
    /// true when it can, and then the pump waits for the next try's <see cref="AttachAsync"/>. False, with nothing
    /// changed, when the body outgrew the buffer, was not kept, or failed at the client.
    /// </summary>
    public async ValueTask<bool> ReleaseForResendAsync(PipeWriter? sink)
    {
        lock (_sync)
        {
            if (_kept.Dropped || _failed)
            {
                return false;
            }

            _frozen = true;
        }

        if (sink is not null)
        {
            await DetachAsync(sink).ConfigureAwait(false);
        }

        return true;
    }

    /// <summary>The try on <paramref name="sink"/> is over without the whole body on it; its connection is closed next.</summary>
    public async ValueTask DetachAsync(PipeWriter sink)
    {
        lock (_sync)
        {
            _frozen = true;
        }

        // A server that answered early may have stopped reading: a flush into it would never end.
        sink.CancelPendingFlush();
        await _gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        if (_sink == sink)
        {
            (_sink, _connection) = (null, null);
        }

        _gate.Release();
    }

    /// <summary>
    /// The exchange is over: a pump still waiting for client bytes is woken and ended (the connection closes: the
    /// rest of the body was never read, or not within the drain's bounds), every task is observed, the kept bytes go
    /// back to the pool.
    /// </summary>
    public async ValueTask StopAsync()
    {
        if (_pump is not null)
        {
            if (!_complete)
            {
                await _gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
                _stopping = true;
                _resume?.TrySetResult();
                _resume = null;
                _gate.Release();

                // Only a body that is not over can have a read pending; the connection closes after this exchange,
                // so the cancellation cannot reach a later request's read.
                _input.CancelPendingRead();
            }

            try
            {
                await _pump.ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
            {
                // The client went away mid-body or the connection is being closed: the exchange has ended already.
            }
        }

        if (_replay is not null)
        {
            await _replay.ConfigureAwait(false);
        }

        lock (_sync)
        {
            _kept.Reset();
        }

        Active = false;
    }
}
