using Waylay.Mesh.Networking;
using Waylay.Proxy.Routing;

namespace Waylay.Proxy.Http.Policy;

/// <summary>
/// The retry decision of one request, as Envoy's router makes it from Istio's <c>retries</c>, the same for HTTP/1 and
/// h2: 1 + attempts tries, each within the per-try timeout; after a try, its outcome (a status, or a failure: connect
/// failure, reset, refused stream, per-try timeout) goes to the cluster's outlier detection and, unless the try was
/// the last, retryOn says whether another follows, after the back-off (<see cref="RetryBackOff"/>). Whether the
/// request can still be sent again (nothing went downstream, the body is kept) is the codec's to add.
/// </summary>
internal readonly struct RetryPolicy(HttpRetry retries)
{
    public HttpRetry Retries => retries ?? HttpRetry.Disabled;

    /// <summary>How many tries the request may take in all.</summary>
    public int Tries => 1 + Math.Max(0, Retries.Attempts);

    /// <summary>Whether any retry may follow, so the request body must be kept as it goes (up to 1 MiB).</summary>
    public bool KeepsBody => Retries.Attempts > 0;

    public TimeSpan? PerTryTimeout => Retries.PerTryTimeout;

    /// <param name="tryNumber">1 for the first try.</param>
    public bool IsLast(int tryNumber) => tryNumber >= Tries;

    /// <summary>A try answered with <paramref name="status"/>: reported; true when the policy retries it.</summary>
    public bool AfterStatus(in UpstreamChoice choice, int status, bool last)
    {
        UpstreamSelector.Report(choice, status);
        return !last && Retries.RetriesStatus(status);
    }

    /// <summary>
    /// Whether retryOn takes a response, decided at its headers (the codec then reports it with <see cref="AfterStatus"/>):
    /// its status, or the <c>grpc-status</c> of a trailers-only answer (Envoy's gRPC retry policy reads the headers only).
    /// </summary>
    public bool RetriesAnswer(int status, int? grpcStatus) =>
        Retries.RetriesStatus(status) || (grpcStatus is { } grpc && Retries.RetriesGrpcStatus(grpc));

    /// <summary>A try failed without an answer: reported; true when the policy retries it.</summary>
    public bool AfterFailure(in UpstreamChoice choice, UpstreamFailure failure, bool last)
    {
        UpstreamSelector.ReportFailure(choice, failure);
        return !last && Retries.RetriesFailure(failure);
    }

    /// <summary>Envoy's default back-off before retry <paramref name="retry"/> (1 for the second try), cancelled with the route.</summary>
    public static Task BackOffAsync(int retry, Random random, TimeProvider time, CancellationToken cancellationToken) =>
        Task.Delay(RetryBackOff.Before(retry, random), time, cancellationToken);
}
