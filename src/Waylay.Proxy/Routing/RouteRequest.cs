namespace Waylay.Proxy.Routing;

/// <summary>What the route engine looks at in a request; nothing is copied to build it.</summary>
/// <param name="PathAndQuery">Origin-form target, query included (prefix matches see it, exact and regex do not, as in Envoy).</param>
/// <param name="Port">The service port the request was sent to (the original destination's).</param>
internal readonly record struct RouteRequest(string Method, string PathAndQuery, ushort Port, IRequestHeaders Headers)
{
    public ReadOnlySpan<char> Path
    {
        get
        {
            var query = PathAndQuery.IndexOf('?');
            return query < 0 ? PathAndQuery : PathAndQuery.AsSpan(0, query);
        }
    }
}
