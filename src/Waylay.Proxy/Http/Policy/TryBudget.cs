using Waylay.Proxy.LoadBalancing;
using Waylay.Proxy.Routing;

namespace Waylay.Proxy.Http.Policy;

/// <summary>
/// What one try holds of its cluster while it is in flight, the same for HTTP/1 and h2: a place under Envoy's
/// max_requests circuit breaker (Istio's http2MaxRequests, which bounds HTTP/1 requests too) and the endpoint's count
/// of active requests (least-request balancing). A try the breaker refuses is answered at once with
/// <see cref="OverflowStatus"/> UO, neither queued nor retried. The codec's own connection limits (the HTTP/1 pool's,
/// h2's connection rotation) stay with the codec. A struct: entering allocates nothing.
/// </summary>
internal readonly struct TryBudget
{
    public const int OverflowStatus = 503;

    private readonly RequestLimiter _requests;
    private readonly EndpointStats? _endpoint;

    private TryBudget(RequestLimiter requests, EndpointStats? endpoint) => (_requests, _endpoint) = (requests, endpoint);

    /// <summary>Enters the cluster's request limit for a try to <paramref name="choice"/>; false when it is full (503 UO).</summary>
    public static bool TryEnter(in UpstreamChoice choice, out TryBudget budget)
    {
        var requests = choice.Cluster?.Requests ?? RequestLimiter.Unlimited;
        if (!requests.TryEnter())
        {
            budget = default;
            return false;
        }

        choice.Endpoint?.RequestStarted();
        budget = new TryBudget(requests, choice.Endpoint);
        return true;
    }

    /// <summary>The try is over, whatever became of it.</summary>
    public void Exit()
    {
        _endpoint?.RequestFinished();
        _requests.Exit();
    }
}
