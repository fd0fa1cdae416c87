namespace Waylay.Samples.Bookinfo.Peers;

/// <summary>
/// The request headers a Bookinfo service copies from the request it serves to the requests it makes, the list Istio's
/// Bookinfo keeps in sync between its services: the request id, every tracing system's context (B3 and W3C among
/// them), the user agent and the session's credentials. Without them the mesh cannot join the hops of one request
/// into one trace, and routing on <c>end-user</c> or a cookie would only work for the first hop.
/// </summary>
internal static class PropagatedHeaders
{
    /// <summary>What productpage forwards to details and reviews (plus <c>end-user</c> from its own session).</summary>
    public static IReadOnlyList<string> FromProductpage { get; } =
    [
        "x-request-id",
        "x-b3-traceid", "x-b3-spanid", "x-b3-parentspanid", "x-b3-sampled", "x-b3-flags", "b3",
        "traceparent", "tracestate",
        "x-ot-span-context",
        "x-datadog-trace-id", "x-datadog-parent-id", "x-datadog-sampling-priority",
        "x-cloud-trace-context", "grpc-trace-bin",
        "sw8",
        "user-agent",
        "cookie", "authorization", "jwt",
    ];

    /// <summary>What reviews forwards to ratings: the same, and the <c>end-user</c> productpage set.</summary>
    public static IReadOnlyList<string> FromReviews { get; } = [.. FromProductpage, "end-user"];

    /// <summary>The headers of <paramref name="request"/> named in <paramref name="names"/>, in that order.</summary>
    public static List<KeyValuePair<string, string>> Select(Microsoft.AspNetCore.Http.IHeaderDictionary request, IReadOnlyList<string> names)
    {
        var selected = new List<KeyValuePair<string, string>>();
        foreach (var name in names)
        {
            if (request.TryGetValue(name, out var values) && values.Count > 0)
            {
                selected.Add(new(name, values.ToString()));
            }
        }

        return selected;
    }
}
