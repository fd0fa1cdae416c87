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
}

/// <summary>
/// <c>http[].retries</c>. <see cref="Attempts"/> counts retries after the first try, as Istio does.
/// </summary>
public sealed record HttpRetry(int Attempts, TimeSpan? PerTryTimeout, RetryOn On, IReadOnlyList<int> StatusCodes)
{
    /// <summary>
    /// What Istio applies to a route that says nothing about retries: two retries on
    /// <c>connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes</c> with 503 retriable
    /// (the gRPC conditions <c>unavailable</c> and <c>cancelled</c> are for the h2 path and not modelled here).
    /// </summary>
    public static HttpRetry IstioDefault { get; } = new(2, null, RetryOn.ConnectFailure | RetryOn.RefusedStream | RetryOn.RetriableStatusCodes, [503]);

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
            foreach (var code in StatusCodes)
            {
                if (code == status)
                {
                    return true;
                }
            }
        }

        return false;
    }

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
