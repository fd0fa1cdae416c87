namespace Waylay.Mesh.Networking;

/// <summary>The <c>retryOn</c> conditions Waylay implements (Envoy's <c>x-envoy-retry-on</c> names).</summary>
[Flags]
public enum RetryOn
{
    None = 0,

    /// <summary><c>5xx</c>: any 5xx response, a connect failure, a reset or a per-try timeout.</summary>
    FiveXx = 1,

    /// <summary><c>gateway-error</c>: 502, 503 or 504.</summary>
    GatewayError = 2,

    /// <summary><c>connect-failure</c>: the upstream connection could not be made (or timed out connecting).</summary>
    ConnectFailure = 4,

    /// <summary><c>reset</c>: the upstream reset or closed the connection before a response began.</summary>
    Reset = 8,

    /// <summary><c>refused-stream</c>: an HTTP/2 upstream refused the stream (REFUSED_STREAM).</summary>
    RefusedStream = 16,

    /// <summary><c>retriable-status-codes</c> (or bare codes like <c>503</c>): the codes in <see cref="HttpRetry.StatusCodes"/>.</summary>
    RetriableStatusCodes = 32,

    // Envoy's x-envoy-retry-grpc-on conditions, which Istio accepts in the same retryOn list: judged on the
    // grpc-status of a response's headers (a trailers-only answer), never on trailers after a body.

    /// <summary><c>cancelled</c>: grpc-status 1.</summary>
    Cancelled = 64,

    /// <summary><c>deadline-exceeded</c>: grpc-status 4.</summary>
    DeadlineExceeded = 128,

    /// <summary><c>resource-exhausted</c>: grpc-status 8.</summary>
    ResourceExhausted = 256,

    /// <summary><c>internal</c>: grpc-status 13.</summary>
    Internal = 512,

    /// <summary><c>unavailable</c>: grpc-status 14.</summary>
    Unavailable = 1024,
}

/// <summary>
/// <c>http[].retries</c>. <see cref="Attempts"/> counts retries after the first try, as Istio does.
/// </summary>
public sealed record HttpRetry(int Attempts, TimeSpan? PerTryTimeout, RetryOn On, IReadOnlyList<int> StatusCodes)
{
    /// <summary>
    /// What Istio applies to a route that says nothing about retries: two retries on
    /// <c>connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes</c> with 503 retriable
    /// (the gRPC conditions <c>unavailable</c> and <c>cancelled</c> only ever match a gRPC answer).
    /// </summary>
    public static HttpRetry IstioDefault { get; } = new(2, null,
        RetryOn.ConnectFailure | RetryOn.RefusedStream | RetryOn.Unavailable | RetryOn.Cancelled | RetryOn.RetriableStatusCodes, [503]);

    public static HttpRetry Disabled { get; } = new(0, null, RetryOn.None, []);

    /// <summary>Whether a response with <paramref name="status"/> may be retried under this policy.</summary>
    public bool RetriesStatus(int status)
    {
        if ((On & RetryOn.FiveXx) != 0 && status is >= 500 and <= 599)
        {
            return true;
        }

        if ((On & RetryOn.GatewayError) != 0 && status is 502 or 503 or 504)
        {
            return true;
        }

        if ((On & RetryOn.RetriableStatusCodes) != 0)
        {
            // By index: a foreach over the interface boxes an enumerator, per response (Istio's default retries
            // carry retriable-status-codes 503, so nearly every route comes here).
            for (var i = 0; i < StatusCodes.Count; i++)
            {
                if (StatusCodes[i] == status)
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>
    /// Whether a gRPC answer whose response headers carry <c>grpc-status: <paramref name="grpcStatus"/></c> (a
    /// trailers-only response: the call failed before any message) may be retried, as Envoy's gRPC retry policy
    /// judges it.
    /// </summary>
    public bool RetriesGrpcStatus(int grpcStatus) => grpcStatus switch
    {
        1 => (On & RetryOn.Cancelled) != 0,
        4 => (On & RetryOn.DeadlineExceeded) != 0,
        8 => (On & RetryOn.ResourceExhausted) != 0,
        13 => (On & RetryOn.Internal) != 0,
        14 => (On & RetryOn.Unavailable) != 0,
        _ => false,
    };

    /// <summary>
    /// Whether a failure before any response may be retried. As in Envoy, <c>5xx</c> and <c>gateway-error</c> count
    /// a connect failure, a reset and a per-try timeout as the 503/504 they turn into.
    /// </summary>
    public bool RetriesFailure(UpstreamFailure failure) => failure switch
    {
        UpstreamFailure.ConnectFailure => (On & (RetryOn.ConnectFailure | RetryOn.FiveXx | RetryOn.GatewayError)) != 0,
        UpstreamFailure.Reset => (On & (RetryOn.Reset | RetryOn.FiveXx | RetryOn.GatewayError)) != 0,
        UpstreamFailure.PerTryTimeout => (On & (RetryOn.FiveXx | RetryOn.GatewayError)) != 0,
        UpstreamFailure.RefusedStream => (On & (RetryOn.RefusedStream | RetryOn.FiveXx)) != 0,
        _ => false,
    };
}

/// <summary>A try that ended without a response (Envoy's locally originated failures).</summary>
public enum UpstreamFailure
{
    ConnectFailure,
    Reset,
    PerTryTimeout,
    RefusedStream,
}
