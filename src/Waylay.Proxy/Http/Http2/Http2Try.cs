using System.Globalization;
using Waylay.Proxy.Http.Policy;

namespace Waylay.Proxy.Http.Http2;

/// <summary>
/// One try of an h2 request: its cancellation and what became of it when the response headers came.
/// <code>
///   Waiting ──► response headers, retriable and a try left, body replayable ──► Retrying (nothing goes downstream)
///           ├─► response headers otherwise ─────────────────────────────────► Committed (copied downstream)
///           └─► perTryTimeout first ────────────────────────────────────────► TimedOut (token cancelled)
/// </code>
/// Envoy ignores a per-try timeout once the response has begun downstream (<c>UpstreamRequest::onPerTryTimeout</c>)
/// and leaves the rest to the route timeout; the one state word makes that exact: the timer only cancels a try that
/// is still waiting, and a response that arrives after the timer is not copied. Whether a response is retried is the
/// request's <see cref="RetryPolicy.RetriesAnswer"/>, shared with HTTP/1.
/// </summary>
internal sealed class Http2Try : IDisposable
{
    private const int Waiting = 0;
    private const int Committed = 1;
    private const int TimedOutState = 2;
    private const int Retrying = 3;

    private readonly RetryPolicy _retry;
    private readonly bool _last;
    private readonly ReplayableRequestBody? _body;
    private readonly CancellationTokenSource? _perTry;
    private readonly ITimer? _timer;
    private int _state;

    /// <param name="last">No try follows this one: whatever it answers goes downstream.</param>
    /// <param name="routeToken">The route timeout (all tries), or none.</param>
    public Http2Try(RetryPolicy retry, bool last, ReplayableRequestBody? body, CancellationToken routeToken, TimeProvider time)
    {
        _retry = retry;
        _last = last;
        _body = body;
        if (retry.PerTryTimeout is { } perTry)
        {
            _perTry = CancellationTokenSource.CreateLinkedTokenSource(routeToken);
            _timer = time.CreateTimer(static state => ((Http2Try)state!).Expire(), this, perTry, Timeout.InfiniteTimeSpan);
        }

        Token = _perTry?.Token ?? routeToken;
    }

    /// <summary>What the forwarder sends this try with.</summary>
    public CancellationToken Token { get; }

    /// <summary>The per-try timeout ended this try before its response was committed.</summary>
    public bool TimedOut => Volatile.Read(ref _state) == TimedOutState;

    /// <summary>The response was retriable and was not copied: send the request again.</summary>
    public bool RetryAsked => Volatile.Read(ref _state) == Retrying;

    /// <summary>The status of the response a retry was asked for, as the outlier detector should count it.</summary>
    public int RetriedStatus { get; private set; }

    /// <summary>Whether another try may follow a failure of this one (the policy's conditions aside).</summary>
    public bool CanRetry => !_last && _body is { CanReplay: true };

    /// <summary>
    /// At the response headers: true to copy the response downstream (the try is committed), false when it is to be
    /// retried or the per-try timeout came first (then nothing of it goes downstream).
    /// </summary>
    public bool Commit(HttpResponseMessage response)
    {
        var status = (int)response.StatusCode;
        var grpcStatus = GrpcStatus(response);
        if (CanRetry && _retry.RetriesAnswer(status, grpcStatus))
        {
            // An HTTP 200 carrying a gRPC error counts as the status it stands for, as Envoy's outlier detector counts it.
            RetriedStatus = status == 200 && grpcStatus is { } failed ? GrpcHttpStatus.For(failed) : status;
            if (Interlocked.CompareExchange(ref _state, Retrying, Waiting) == Waiting)
            {
                _body!.Hold();
            }

            return false;
        }

        if (Interlocked.CompareExchange(ref _state, Committed, Waiting) != Waiting)
        {
            return false;
        }

        _body?.Forget();
        return true;
    }

    public void Dispose()
    {
        _timer?.Dispose();
        _perTry?.Dispose();
    }

    private void Expire()
    {
        if (Interlocked.CompareExchange(ref _state, TimedOutState, Waiting) != Waiting)
        {
            return;
        }

        try
        {
            _perTry!.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The try ended as the timer fired.
        }
    }

    /// <summary>The grpc-status of a trailers-only answer (it is in the headers frame that ends the stream).</summary>
    private static int? GrpcStatus(HttpResponseMessage response) =>
        response.Headers.TryGetValues("grpc-status", out var values)
        && int.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var status) ? status : null;
}
