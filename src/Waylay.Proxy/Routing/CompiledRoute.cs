using Waylay.Mesh.Networking;
using Waylay.Proxy.LoadBalancing;

namespace Waylay.Proxy.Routing;

/// <summary>One <c>http[]</c> entry ready to evaluate: its match blocks, its weighted targets and its effective policies.</summary>
internal sealed class CompiledRoute
{
    private readonly WeightedPicker _picker;

    internal CompiledRoute(string name, IReadOnlyList<HttpMatchRequest> matches, RouteTarget[] targets, TimeSpan? timeout, HttpRetry retries, HttpFault? fault, string? rewriteUri)
    {
        Name = name;
        Matches = matches;
        Targets = targets;
        Timeout = timeout;
        Retries = retries;
        Fault = fault;
        RewriteUri = rewriteUri;
        var weights = new int[targets.Length];
        for (var i = 0; i < targets.Length; i++)
        {
            weights[i] = targets.Length == 1 ? 1 : targets[i].Weight;
        }

        _picker = new WeightedPicker(weights);
    }

    /// <summary>The route's name, or "&lt;virtual service&gt;.&lt;namespace&gt;/&lt;index&gt;", or "default" for the implicit route.</summary>
    public string Name { get; }

    public IReadOnlyList<HttpMatchRequest> Matches { get; }

    public RouteTarget[] Targets { get; }

    /// <summary>Null: no timeout (Istio's default).</summary>
    public TimeSpan? Timeout { get; }

    /// <summary>The route's retry policy, or Istio's default when it names none; never null.</summary>
    public HttpRetry Retries { get; }

    public HttpFault? Fault { get; }

    public string? RewriteUri { get; }

    internal RouteTarget PickTarget(Random random) => Targets[_picker.Pick(random)];

    /// <summary>The first match block that holds, or null; an empty match list matches with <see cref="HttpMatchRequest.Any"/>.</summary>
    internal HttpMatchRequest? Match(in RouteRequest request)
    {
        if (Matches.Count == 0)
        {
            return HttpMatchRequest.Any;
        }

        // indexed loops: foreach over an IReadOnlyList boxes its enumerator, and this runs for every request
        for (var i = 0; i < Matches.Count; i++)
        {
            if (Holds(Matches[i], request))
            {
                return Matches[i];
            }
        }

        return null;
    }

    private static bool Holds(HttpMatchRequest match, in RouteRequest request)
    {
        if (match.Port is { } port && port != request.Port)
        {
            return false;
        }

        if (match.Method is { } method && !method.Matches(request.Method))
        {
            return false;
        }

        if (match.Uri is { } uri && !MatchesUri(uri, request))
        {
            return false;
        }

        for (var i = 0; i < match.Headers.Count; i++)
        {
            var header = match.Headers[i];
            if (!header.Match.Matches(request.Headers.Get(header.Name)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Envoy: a prefix is matched against the whole :path; exact and regex against the path without its query.</summary>
    private static bool MatchesUri(StringMatch uri, in RouteRequest request) => uri.Kind switch
    {
        StringMatchKind.Prefix => request.PathAndQuery.StartsWith(uri.Value, StringComparison.Ordinal),
        StringMatchKind.Exact => request.Path.SequenceEqual(uri.Value),
        StringMatchKind.Regex => uri.Pattern!.IsMatch(request.Path),
        _ => true,
    };
}
