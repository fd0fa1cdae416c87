using System.IO.Pipelines;
using System.Net;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Waylay.Mesh.Networking;
using Waylay.Proxy.Http.Headers;
using Waylay.Proxy.Http.Http1;
using Waylay.Proxy.Http.Policy;
using Waylay.Proxy.Io;
using Waylay.Proxy.OriginalDestination;
using Waylay.Proxy.Routing;
using Waylay.Proxy.LoadBalancing;
using Waylay.Proxy.Pools;
using Waylay.Proxy.Telemetry;
using Waylay.Proxy.Telemetry.Http;
using Waylay.Proxy.Connections;

namespace Waylay.Proxy.Http.Forwarding;

/// <summary>
/// One captured HTTP/1.x connection, request after request, as Envoy's HTTP connection manager handles it:
/// <code>
///   head (strict parser; refused: 400/431/501/505 + close, and so is a chunked body malformed in the bytes that came
///   with the head) ──► outbound: normalize path, then the policy stage h2 shares (Http/Policy): route, fault, rewrite
///   (RequestRoute), pick an endpoint (UpstreamSelector), pool and request limits (PoolLimiter, TryBudget: 503 UO)
///   ──► try: pooled keep-alive connection (503 UF) ─► head + body upstream ─► response head within the timeout (504 UT)
///       5xx / connect failure / reset and RetryPolicy retries it, body still kept (≤ 1 MiB) ──► next try elsewhere,
///       the kept body sent again first (RequestBodyPump)
///   ──► response head + body downstream (re-framed) ──► connection back to the pool ──► metrics, access log, span
///   ──► a request body the answer left unread: read away (≤ 1 MiB, 5 s) and keep-alive, else close (RequestBodyPump.Drain)
///   101 / CONNECT 2xx ──► the rest of the connection is a tunnel
///   a body that breaks its framing later: upstream connection shut, 400 if no answer began (else close), never pooled
/// </code>
/// Inbound connections take the same path to the app, without routing: one target, one try.
/// </summary>
/// <param name="ended">
/// Called once the connection is over and its socket and buffers let go (<see cref="End"/>): what the connection's
/// owner did after awaiting it, so that a held connection keeps this one async state machine alive, not three.
/// </param>
internal sealed partial class Http1Connection(HttpServices services, HttpScope scope, EpollSocket socket, Func<bool> draining,
    Action<ConnectionContext, System.Runtime.InteropServices.SafeHandle, Exception?> ended)
{
    private readonly SocketPipeReader input = new(socket);
    private readonly SocketPipeWriter output = new(socket);
    private readonly Action<ConnectionContext, System.Runtime.InteropServices.SafeHandle, Exception?> _ended = ended;
    // Made at the first request with a body (most connections never carry one: its pump, gate, reader and replay
    // buffer are ~400 bytes a connection otherwise, held for as long as a keep-alive connection stays open).
    private RequestBodyPump? _requestBody;
    // While a request is under way (Http1Exchange.Rent, from its head's first bytes, with the head's parser), none
    // while the connection waits.
    private Http1Exchange? _exchange;

    // x-forwarded-for takes the address alone, as Envoy appends it (the access log keeps the port, in _client); the
    // same text for every connection from one address.
    private readonly string _forwardedFor = SharedAddresses.Text(scope.Connection.Client.EndPoint.Address);
    // The access log's client and local address, and the Host for a request that came without one: made the first
    // time a request needs one (most connections never), one reference while none is.
    private ConnectionTexts? _texts;

    private ConnectionContext Connection => scope.Connection;

    private bool BodyActive => _requestBody is { Active: true };

    /// <summary>
    /// Serves requests until the client closes, a response ends the connection, or the proxy closes it, then ends the
    /// connection (<see cref="End"/>). The head is read here rather than in a method of its own, and a request without
    /// a body goes straight to <see cref="ForwardAsync"/>: each async level is a continuation to run per request, on
    /// the loop's thread. Nobody awaits this: its end is run here, by the loop's own finally.
    /// </summary>
    public async Task RunAsync()
    {
        // No local of this method outlives an await unless it must (the failure, the closing token): each is a field
        // of its box, held as long as the connection is; the awaits are all of one type (ValueTask<bool>), one field.
        try
        {
            while (true)
            {
                // :: the next request's head; the connection is over when the client closes between requests, or is refused
                Http1RequestHead head;
                var start = services.Time.GetTimestamp();
                var first = true;
                while (true)
                {
                    Connection.IdleBetweenRequests = first;
                    if (first && _exchange is not null)
                    {
                        // The last request's exchange, parser and head buffers, back to their pools while the connection waits.
                        Http1Exchange.Return(_exchange);
                        _exchange = null;
                    }

                    if (first && draining())
                    {
                        goto over;
                    }

                    bool canceled;
                    try
                    {
                        canceled = await input.ReadCanceledAsync(Connection.Closing.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (first)
                    {
                        // Closed by a drain while idle between requests: nothing was cut.
                        goto over;
                    }
                    finally
                    {
                        Connection.IdleBetweenRequests = false;
                    }

                    first = false;
                    var read = input.Result(canceled);
                    var buffer = read.Buffer;
                    if (buffer.IsEmpty && read.IsCompleted)
                    {
                        input.AdvanceTo(buffer.End);
                        goto over;
                    }

                    var parser = (_exchange ??= Http1Exchange.Rent()).Parser;
                    var status = parser.TryParse(buffer, out var consumed, out var examined, out var error);
                    if (status == Http1ParseStatus.Complete)
                    {
                        input.AdvanceTo(consumed);
                        head = parser.Head;
                        break;
                    }

                    input.AdvanceTo(consumed, examined);
                    if (status == Http1ParseStatus.Error)
                    {
                        await SyntheticAsync(start, error, Connection.Closing.Token).ConfigureAwait(false);
                        goto over;
                    }

                    if (read.IsCompleted)
                    {
                        // The client went away in the middle of a head: nothing to answer (Envoy logs it as DC).
                        goto over;
                    }
                }

                var keepAlive = head.Framing is BodyFraming.ContentLength or BodyFraming.Chunked
                    ? await ExchangeWithBodyAsync(head, Connection.Closing.Token).ConfigureAwait(false)
                    : await ForwardAsync(head, Connection.Closing.Token).ConfigureAwait(false);
                if (!keepAlive)
                {
                    goto over;
                }
            }
        }
        catch (Exception e)
        {
            End(e);
            return;
        }

    over:
        End(null);
    }

    /// <summary>A request with a body and its response, the body pumped beside; true when the connection can carry the next request.</summary>
    [AsyncMethodBuilder(typeof(BurstPoolingMethodBuilder<>))]
    private async ValueTask<bool> ExchangeWithBodyAsync(Http1RequestHead head, CancellationToken cancellationToken)
    {
        var pump = _requestBody ??= new RequestBodyPump();
        pump.Start(head, input, cancellationToken);
        try
        {
            // Body bytes that came with the head are checked before the head goes anywhere: a malformed chunk line
            // there is refused without a byte reaching the app (later ones are the pump's, RequestBodyPump.Abort).
            var malformed = pump.CheckBuffered();
            if (malformed != Http1Error.None)
            {
                await RefuseAsync(head, malformed, cancellationToken).ConfigureAwait(false);
                return false;
            }

            // An answer complete before the body was read to its end (the server answered early): the rest is read
            // away, bounded, before the next request, as Kestrel does; the answer did not say the connection closes.
            return await ForwardAsync(head, cancellationToken).ConfigureAwait(false)
                && (pump.ReadToEnd || await pump.DrainAsync(services.Time).ConfigureAwait(false));
        }
        finally
        {
            // Observes the body's task whatever the exchange ended with (an early answer leaves it mid-body).
            await pump.StopAsync().ConfigureAwait(false);
        }
    }

    [AsyncMethodBuilder(typeof(BurstPoolingMethodBuilder<>))]
    private async ValueTask<bool> ForwardAsync(Http1RequestHead head, CancellationToken cancellationToken)
    {
        var start = services.Time.GetTimestamp();
        var (table, service) = scope.ForNextRequest();
        var outbound = scope.Direction == TrafficDirection.Outbound;

        var exchange = _exchange ??= Http1Exchange.Rent();
        exchange.Begin(start, services.Time.GetUtcNow());
        services.Decorator.Decorate(ref exchange.Fields, new Http1TraceFields(head), outbound ? SpanKind.Client : SpanKind.Server, _forwardedFor);

        RequestRoute route;
        if (outbound)
        {
            var path = head.TargetForm is RequestTargetForm.Origin or RequestTargetForm.Absolute ? PathNormalizer.Normalize(head.PathAndQuery) : head.PathAndQuery;
            route = RequestRoute.Select(scope.Gateway, table, service, head.Authority, new RouteRequest(head.Method, path, scope.Port, head), services.Random);
            exchange.RouteName = route.Selection.Route?.Name;
            if (!route.IsRouted)
            {
                var (status, flag) = route.Refusal;
                exchange.Labels = services.Peers.Outbound(table, service, null);
                return await AnswerAsync(head, exchange, status, flag, cancellationToken).ConfigureAwait(false);
            }

            if (route.Fault.Delay is { } delay)
            {
                exchange.Flags |= ResponseFlags.DelayInjected;
                await Task.Delay(delay, services.Time, cancellationToken).ConfigureAwait(false);
            }

            if (route.Fault.AbortStatus is { } abort)
            {
                exchange.Labels = services.Peers.Outbound(table, service, null);
                return await AnswerAsync(head, exchange, abort, ResponseFlags.FaultInjected, cancellationToken).ConfigureAwait(false);
            }
        }
        else
        {
            route = RequestRoute.Inbound(head.PathAndQuery);
            exchange.Labels = services.Peers.Inbound(table, Connection.Client.EndPoint.Address, scope.Port);
        }

        // A body is kept as it goes (up to 1 MiB, RequestBodyPump) so that a retry can send it again, as Envoy does.
        var retry = route.Retry;
        if (head.ExpectContinue && head.Version == Http1Version.Http11 && BodyActive)
        {
            // Envoy (proxy_100_continue: false) answers at its connection manager, before routing; here after routing
            // and faults, so that a local answer (404, abort) spares the client a body it would only throw away.
            Http1HeadWriter.WriteContinue(output);
            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        using var deadline = route.Timeout is { } timeout ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken) : null;
        deadline?.CancelAfter(route.Timeout!.Value);
        EndpointStats? previous = null;
        var fresh = false;
        for (var attempt = 1; ; attempt++)
        {
            var last = retry.IsLast(attempt);
            UpstreamChoice choice;
            IPEndPoint target;
            IPEndPoint? source = null;
            if (outbound)
            {
                choice = services.Selector.Choose(table, route.Selection, services.Random, previous);
                exchange.Labels = services.Peers.Outbound(table, choice.Service ?? service!, choice.Endpoint);
                if (!choice.IsRouted)
                {
                    return await AnswerAsync(head, exchange, choice.Status, choice.Flag, cancellationToken).ConfigureAwait(false);
                }

                target = choice.Endpoint!.Address;
                exchange.Cluster = choice.ClusterName;
            }
            else
            {
                choice = default;
                target = scope.InboundTarget!;
                source = scope.InboundSource;
                exchange.Cluster = InboundClusterName.For(scope.Port);
            }

            exchange.UpstreamHost = target;
            var limiter = choice.Cluster?.Limiter ?? PoolLimiter.Unlimited;
            if (!await limiter.EnterAsync(cancellationToken).ConfigureAwait(false))
            {
                return await AnswerAsync(head, exchange, 503, ResponseFlags.UpstreamOverflow, cancellationToken).ConfigureAwait(false);
            }

            if (!TryBudget.TryEnter(choice, out var budget))
            {
                limiter.Exit();
                return await AnswerAsync(head, exchange, TryBudget.OverflowStatus, ResponseFlags.UpstreamOverflow, cancellationToken).ConfigureAwait(false);
            }

            try
            {
                var result = await TryAsync(head, new Http1Try(route, choice, target, source, limiter, last, fresh), exchange, deadline, cancellationToken)
                    .ConfigureAwait(false);
                if (result == TryResult.Stale && !fresh)
                {
                    // A pooled connection the server had closed: not a try, the same request again on a new connection.
                    (fresh, attempt) = (true, attempt - 1);
                    continue;
                }

                if (result is not TryResult.Retry and not TryResult.Stale)
                {
                    return result == TryResult.KeepAlive;
                }
            }
            finally
            {
                budget.Exit();
                limiter.Exit();
            }

            previous = choice.Endpoint;
            exchange.Flags &= ~(ResponseFlags.UpstreamConnectionFailure | ResponseFlags.UpstreamRequestTimeout | ResponseFlags.UpstreamConnectionTermination);

            // Envoy's default back-off before the next try, within the route's timeout.
            try
            {
                await RetryPolicy.BackOffAsync(attempt, services.Random, services.Time, deadline?.Token ?? cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return await AnswerAsync(head, exchange, 504, ResponseFlags.UpstreamRequestTimeout, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private enum TryResult
    {
        KeepAlive,
        Close,
        Retry,

        /// <summary>A reused keep-alive connection was closed under the request before any response byte.</summary>
        Stale,
    }

    /// <summary>One try of one request against one endpoint.</summary>
    [AsyncMethodBuilder(typeof(BurstPoolingMethodBuilder<>))]
    private async ValueTask<TryResult> TryAsync(Http1RequestHead head, Http1Try attempt, Http1Exchange exchange, CancellationTokenSource? deadline,
        CancellationToken cancellationToken)
    {
        // The try's decisions are read from attempt where they are used, not copied into locals: every local that lives
        // across an await is a field of this method's box, and a burst of thousands of requests at once allocates that
        // many boxes (the pooled ones are a few per thread).
        var retry = attempt.Route.Retry;
        using var perTry = retry.PerTryTimeout is { } perTryTimeout
            ? CancellationTokenSource.CreateLinkedTokenSource(deadline?.Token ?? cancellationToken)
            : null;
        perTry?.CancelAfter(retry.PerTryTimeout!.Value);
        var tryToken = perTry?.Token ?? deadline?.Token ?? cancellationToken;

        var (upstream, failure, reused) = await services.Pool.GetAsync(attempt.Target, attempt.Source, attempt.Choice.Endpoint, attempt.Limiter.IdleTimeout,
            verifyIdle: head.Framing != BodyFraming.None, attempt.Fresh, scope.Loop, Connection, tryToken).ConfigureAwait(false);
        var body = BodyActive;
        if (upstream is null)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                return TryResult.Close;
            }

            if (perTry?.IsCancellationRequested == true && deadline?.IsCancellationRequested != true)
            {
                // The try's time ran out while connecting: another endpoint may answer within the route's timeout.
                if (retry.AfterFailure(attempt.Choice, UpstreamFailure.PerTryTimeout, attempt.Last) && await ResendableAsync(null).ConfigureAwait(false))
                {
                    return TryResult.Retry;
                }
            }

            if (deadline?.IsCancellationRequested == true || perTry?.IsCancellationRequested == true)
            {
                return await TimedOutAsync(head, exchange, cancellationToken).ConfigureAwait(false);
            }

            attempt.Choice.Endpoint?.ConnectFailed();
            exchange.Flags |= ResponseFlags.UpstreamConnectionFailure;
            if (retry.AfterFailure(attempt.Choice, UpstreamFailure.ConnectFailure, attempt.Last) && await ResendableAsync(null).ConfigureAwait(false))
            {
                return TryResult.Retry;
            }

            return await AnswerTryAsync(head, exchange, 503, ResponseFlags.UpstreamConnectionFailure, cancellationToken).ConfigureAwait(false);
        }

        var reusable = false;
        var attached = false;
        Connection.Carry(upstream.Socket);
        try
        {
            // The upstream's own address is read (getsockname) only where something will show it: most never are.
            exchange.UpstreamLocal = DetailWanted(exchange) ? upstream.Local : null;
            Connection.UpstreamFrom(upstream);
            var upstreamStart = services.Time.GetTimestamp();
            var edits = attempt.Route.RequestEdits;
            Http1HeadWriter.WriteRequest(upstream.Writer, head, attempt.Route.ForwardedPath, exchange.Fields.ReplacesReceived ? TraceFieldMask.For(edits) : edits, in exchange.Fields,
                head.Authority.IsEmpty ? DefaultAuthority() : "", keepAlive: true);
            var sent = await SendHeadAsync(upstream, tryToken).ConfigureAwait(false);

            // :: the request body, concurrently with the response head: a server may answer before it has read it all
            if (sent && body)
            {
                await _requestBody!.AttachAsync(upstream.Writer, keep: retry.KeepsBody || reused, upstream.Socket).ConfigureAwait(false);
                attached = true;
            }

            // :: the response head (interim 1xx forwarded as they come)
            Http1ResponseHead response;
            while (true)
            {
                // Read here, not in a method of its own: one async level less to resume when the response arrives.
                var outcome = sent ? default : new HeadOutcome(Reset: true);
                if (sent)
                {
                    exchange.ResponseParser.Reset();
                    try
                    {
                        while (true)
                        {
                            // ReadCanceledAsync: the awaiter of a ValueTask<ReadResult> is a 48-byte field of this box, held by
                            // every request in flight; this one's is the 16-byte one the box has already.
                            var read = upstream.Reader.Result(await upstream.Reader.ReadCanceledAsync(tryToken).ConfigureAwait(false));
                            var parsed = exchange.ResponseParser.TryParse(read.Buffer, head.Method, out var consumed, out var examined, out var parseError);
                            if (parsed == Http1ParseStatus.Complete)
                            {
                                upstream.Reader.AdvanceTo(consumed);
                                break;
                            }

                            upstream.Reader.AdvanceTo(consumed, examined);
                            if (parsed == Http1ParseStatus.Error || read.IsCompleted)
                            {
                                outcome = parsed == Http1ParseStatus.Error ? new HeadOutcome(Error: parseError) : new HeadOutcome(Reset: true);
                                break;
                            }
                        }
                    }
                    catch (OperationCanceledException)
                    {
                        outcome = new HeadOutcome(TimedOut: true);
                    }
                    catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
                    {
                        outcome = new HeadOutcome(Reset: true);
                    }
                }

                if (body && outcome != default && _requestBody!.Malformed is var malformed && malformed != Http1Error.None)
                {
                    // The client's body broke its framing after the head went upstream, and the pump shut the upstream
                    // connection: no answer has begun, so the client is told (400, as Envoy's codec), then closed.
                    return await AnswerTryAsync(head, exchange, malformed.StatusCode(), ResponseFlags.DownstreamProtocolError, cancellationToken,
                        malformed.Code()).ConfigureAwait(false);
                }

                if (outcome.Error is { } error)
                {
                    exchange.Flags |= ResponseFlags.UpstreamProtocolError;
                    UpstreamSelector.Report(attempt.Choice, 502);
                    return await AnswerTryAsync(head, exchange, error.StatusCode(upstream: true), ResponseFlags.UpstreamProtocolError, cancellationToken, error.Code())
                        .ConfigureAwait(false);
                }

                if (outcome.Reset && reused && await ResendableAsync(upstream).ConfigureAwait(false))
                {
                    return TryResult.Stale;
                }

                if (outcome.Reset)
                {
                    exchange.Flags |= ResponseFlags.UpstreamConnectionTermination;
                    if (retry.AfterFailure(attempt.Choice, UpstreamFailure.Reset, attempt.Last) && await ResendableAsync(upstream).ConfigureAwait(false))
                    {
                        return TryResult.Retry;
                    }

                    return await AnswerTryAsync(head, exchange, 503, ResponseFlags.UpstreamConnectionTermination, cancellationToken).ConfigureAwait(false);
                }

                if (outcome.TimedOut)
                {
                    if (perTry?.IsCancellationRequested == true && deadline?.IsCancellationRequested != true && !cancellationToken.IsCancellationRequested)
                    {
                        if (retry.AfterFailure(attempt.Choice, UpstreamFailure.PerTryTimeout, attempt.Last) && await ResendableAsync(upstream).ConfigureAwait(false))
                        {
                            return TryResult.Retry;
                        }
                    }

                    return cancellationToken.IsCancellationRequested ? TryResult.Close : await TimedOutAsync(head, exchange, cancellationToken).ConfigureAwait(false);
                }

                response = exchange.ResponseParser.Head;
                if (!response.IsInterim)
                {
                    break;
                }

                // A 100 to an expectation the proxy answered itself is not passed on (nor any 1xx to an HTTP/1.0
                // client, RFC 9110 §15.2); any other ends the retries, as in Envoy.
                if ((response.StatusCode == 100 && head.ExpectContinue) || head.Version == Http1Version.Http10)
                {
                    continue;
                }

                exchange.InterimForwarded = true;
                Http1HeadWriter.WriteResponse(output, response, HeaderEdits.None, default);
                await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            }

            exchange.UpstreamServiceTime = services.Time.GetElapsedTime(upstreamStart);
            if (retry.AfterStatus(attempt.Choice, response.StatusCode, attempt.Last) && await ResendableAsync(upstream).ConfigureAwait(false))
            {
                return TryResult.Retry;
            }

            // :: the response downstream
            var keepAlive = head.KeepAlive && !draining();
            if (head.Version == Http1Version.Http10 && response.Framing == BodyFraming.Chunked)
            {
                // An HTTP/1.0 client cannot read chunks: send the payload as is and end it by closing.
                response.Framing = BodyFraming.UntilClose;
                keepAlive = false;
            }

            Http1HeadWriter.WriteResponse(output, response, attempt.Route.ResponseEdits, default, keepAlive);
            exchange.Status = response.StatusCode;

            // The head goes out with the body's first bytes (one write for a small response); a body-less or
            // tunnelled response is flushed now.
            if (response.Framing is BodyFraming.None or BodyFraming.Tunnel)
            {
                await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            }

            if (response.Framing == BodyFraming.Tunnel)
            {
                exchange.ResponseBytes += await TunnelAsync(upstream, cancellationToken).ConfigureAwait(false);
                Complete(head, exchange);
                return TryResult.Close;
            }

            exchange.ResponseBody.Start(response);
            var responseBody = await BodyCopier.CopyAsync(upstream.Reader, exchange.ResponseBody, output,
                response.Framing == BodyFraming.Chunked, deadline?.Token ?? cancellationToken).ConfigureAwait(false);
            exchange.ResponseBytes += responseBody.Bytes;
            if (body && !responseBody.Complete && _requestBody!.Malformed != Http1Error.None)
            {
                // The answer had begun when the client's body broke its framing: only closing can tell the client now.
                exchange.Flags |= ResponseFlags.DownstreamProtocolError;
            }

            // The upstream connection is in step only once all of the body was flushed there (the last flush may still
            // be under way when a quick answer is already complete). The client's is once its body was read to the
            // end: ExchangeWithBodyAsync reads away what an early answer left unread.
            var requestSent = !body || _requestBody!.CompletedOn(upstream.Writer);
            Complete(head, exchange);
            reusable = responseBody.Complete && requestSent && response.KeepAlive && response.Framing != BodyFraming.UntilClose;
            return responseBody.Complete && keepAlive && response.Framing != BodyFraming.UntilClose ? TryResult.KeepAlive : TryResult.Close;
        }
        catch (OperationCanceledException) when (deadline?.IsCancellationRequested == true && !cancellationToken.IsCancellationRequested)
        {
            // The route timeout fired after the response began: the status is gone, only a reset can tell the client.
            exchange.Flags |= ResponseFlags.UpstreamRequestTimeout;
            Complete(head, exchange);
            return TryResult.Close;
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or InvalidOperationException)
        {
            exchange.Flags |= ResponseFlags.UpstreamConnectionTermination;
            if (exchange.Status == 0)
            {
                return await AnswerTryAsync(head, exchange, 503, ResponseFlags.UpstreamConnectionTermination, cancellationToken).ConfigureAwait(false);
            }

            Complete(head, exchange);
            return TryResult.Close;
        }
        finally
        {
            // The body's writer is this connection's: nothing may still write to it when the pool closes it.
            if (attached && !reusable)
            {
                await _requestBody!.DetachAsync(upstream.Writer).ConfigureAwait(false);
            }

            Connection.Carry(null);
            await services.Pool.ReleaseAsync(upstream, attempt.Source, reusable, attempt.Limiter.MaxRequestsPerConnection).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The request head out; false when the connection failed under it (a pooled one the server had closed). A head
    /// the kernel takes at once (nearly always) is answered without an async method's machinery.
    /// </summary>
    private static ValueTask<bool> SendHeadAsync(Http1UpstreamConnection upstream, CancellationToken cancellationToken)
    {
        ValueTask<FlushResult> flush;
        try
        {
            flush = upstream.Writer.FlushAsync(cancellationToken);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
        {
            return new ValueTask<bool>(false);
        }

        return flush.IsCompletedSuccessfully ? new ValueTask<bool>(!flush.Result.IsCompleted) : SendHeadSlowAsync(flush);
    }

    private static async ValueTask<bool> SendHeadSlowAsync(ValueTask<FlushResult> flush)
    {
        try
        {
            return !(await flush.ConfigureAwait(false)).IsCompleted;
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    /// <summary>
    /// Whether the request can go out again after a try that brought no answer the client has seen: not once a 1xx
    /// went downstream, and for a body only while all of it is kept (then the pump waits for the next try). The try's
    /// conditions (retries left, retry policy) are checked first: this stops the body going to <paramref name="upstream"/>.
    /// </summary>
    private async ValueTask<bool> ResendableAsync(Http1UpstreamConnection? upstream) =>
        !_exchange!.InterimForwarded && (!BodyActive || await _requestBody!.ReleaseForResendAsync(upstream?.Writer).ConfigureAwait(false));

    private readonly record struct HeadOutcome(Http1Error? Error = null, bool Reset = false, bool TimedOut = false);

    /// <summary>After a 101: both directions as opaque bytes until each side has finished.</summary>
    private async Task<long> TunnelAsync(Http1UpstreamConnection upstream, CancellationToken cancellationToken)
    {
        var up = BodyCopier.TunnelAsync(input, upstream.Writer, cancellationToken);
        var down = BodyCopier.TunnelAsync(upstream.Reader, output, cancellationToken);
        try
        {
            await up.ConfigureAwait(false);
            upstream.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
            return await down.ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or OperationCanceledException)
        {
            return 0;
        }
    }

    /// <summary>The Host for a request that came without one (HTTP/1.0): the service's name, or where it was going.</summary>
    private string DefaultAuthority()
    {
        var texts = _texts ??= new ConnectionTexts();
        var destination = Connection.OriginalDestination?.EndPoint;
        return texts.DefaultAuthority ??= scope.Service is { } service ? $"{service.Host}:{service.Port.Port}" : destination?.ToString() ?? "localhost";
    }

    private Task<TryResult> TimedOutAsync(Http1RequestHead head, Http1Exchange exchange, CancellationToken cancellationToken) =>
        AnswerTryAsync(head, exchange, 504, ResponseFlags.UpstreamRequestTimeout, cancellationToken);

    private async Task<TryResult> AnswerTryAsync(Http1RequestHead head, Http1Exchange exchange, int status, ResponseFlags flag, CancellationToken cancellationToken,
        string? code = null) =>
        await AnswerAsync(head, exchange, status, flag, cancellationToken, code).ConfigureAwait(false) ? TryResult.KeepAlive : TryResult.Close;

    /// <summary>
    /// A response the proxy makes itself. The connection stays open only when nothing of the request is left unread
    /// (no body) and the client wants keep-alive, as Envoy's local replies do.
    /// </summary>
    private async Task<bool> AnswerAsync(Http1RequestHead? head, Http1Exchange exchange, int status, ResponseFlags flag, CancellationToken cancellationToken,
        string? code = null)
    {
        var keepAlive = head is { KeepAlive: true, Framing: BodyFraming.None } && !draining() && flag != ResponseFlags.DownstreamProtocolError;
        exchange.Flags |= flag;
        exchange.Status = status;
        Http1HeadWriter.WriteSynthetic(output, status, code ?? flag.ProxyErrorCode(), keepAlive);
        try
        {
            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or OperationCanceledException)
        {
            keepAlive = false;
        }

        Complete(head, exchange);
        return keepAlive;
    }

    /// <summary>A refused head: the error's status and code, then close (a ValueTask&lt;bool&gt; as the request loop's other awaits).</summary>
    private async ValueTask<bool> SyntheticAsync(long start, Http1Error error, CancellationToken cancellationToken)
    {
        var exchange = _exchange ??= Http1Exchange.Rent();
        exchange.Begin(start, services.Time.GetUtcNow());
        exchange.Labels = scope.Direction == TrafficDirection.Outbound
            ? services.Peers.Outbound(scope.Table, scope.Service!, null)
            : services.Peers.Inbound(scope.Table, Connection.Client.EndPoint.Address, scope.Port);
        return await AnswerAsync(null, exchange, error.StatusCode(), ResponseFlags.DownstreamProtocolError, cancellationToken, error.Code()).ConfigureAwait(false);
    }

    /// <summary>A request whose body is refused before its head went upstream: the error's status and code, then close.</summary>
    private async Task RefuseAsync(Http1RequestHead head, Http1Error error, CancellationToken cancellationToken)
    {
        var exchange = _exchange ??= Http1Exchange.Rent();
        exchange.Begin(services.Time.GetTimestamp(), services.Time.GetUtcNow());
        exchange.Labels = scope.Direction == TrafficDirection.Outbound
            ? services.Peers.Outbound(scope.Table, scope.Service!, null)
            : services.Peers.Inbound(scope.Table, Connection.Client.EndPoint.Address, scope.Port);
        await AnswerAsync(head, exchange, error.StatusCode(), ResponseFlags.DownstreamProtocolError, cancellationToken, error.Code()).ConfigureAwait(false);
    }

    /// <summary>Whether the exchange's addresses are wanted as text: an access-log line or a sampled span (decided before it goes upstream).</summary>
    private bool DetailWanted(Http1Exchange exchange) =>
        services.AccessLog is not null || exchange.Fields.Trace is { Sampled: true } && services.Zipkin is not null;

    /// <summary>Metrics, access log and span for one finished exchange, and the connection's byte counters.</summary>
    private void Complete(Http1RequestHead? head, Http1Exchange exchange)
    {
        var now = services.Time.GetTimestamp();
        if (head is not null && BodyActive)
        {
            // The client's body bytes so far, once: a try that sent them again does not count them again.
            exchange.RequestBytes = _requestBody!.BytesRead;
        }

        Connection.AddBytes(true, exchange.RequestBytes, now);
        Connection.AddBytes(false, exchange.ResponseBytes, now);
        var duration = services.Time.GetElapsedTime(exchange.Start, now);
        var outbound = scope.Direction == TrafficDirection.Outbound;

        // Addresses as text only for an access-log line or a span: metrics alone need none of them.
        var detail = DetailWanted(exchange);
        services.Telemetry.RequestCompleted(new CompletedRequest
        {
            Labels = exchange.Labels!,
            Duration = duration,
            Trace = exchange.Fields.Trace,
            Kind = outbound ? SpanKind.Client : SpanKind.Server,
            SharedSpan = exchange.Fields.SharesCallerSpan,
            RemoteEndpoint = null,
            GrpcStatus = -1,
            Log = new AccessLogEntry
            {
                StartTime = exchange.StartTime,
                Request = head,
                GeneratedRequestId = detail ? exchange.Fields.GeneratedRequestId : null, // formatted now, so only when read
                AppendedForwardedFor = exchange.Fields.AppendedForwardedFor,
                ResponseCode = exchange.Status,
                Flags = exchange.Flags,
                BytesReceived = exchange.RequestBytes,
                BytesSent = exchange.ResponseBytes,
                DurationMilliseconds = (long)duration.TotalMilliseconds,
                UpstreamServiceTimeMilliseconds = exchange.UpstreamServiceTime is { } t ? (long)t.TotalMilliseconds : null,
                UpstreamHost = detail ? exchange.UpstreamHost?.ToString() : null,
                UpstreamCluster = exchange.Cluster,
                UpstreamLocalAddress = detail ? exchange.UpstreamLocal?.ToString() : null,
                DownstreamLocalAddress = detail ? (_texts ??= new()).DownstreamLocal ??= Connection.OriginalDestination?.EndPoint.ToString() : null,
                DownstreamRemoteAddress = detail ? (_texts ??= new()).Client ??= Connection.Client.EndPoint.ToString() : null,
                RouteName = exchange.RouteName,
            },
        });
    }
}
