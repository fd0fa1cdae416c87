namespace Waylay.Proxy.Routing;

/// <summary>
/// Request headers as the route engine reads them. A real seam: the HTTP/1 parser's head implements it over its
/// bytes, and the h2/gRPC path (Kestrel) will over its header dictionary.
/// </summary>
internal interface IRequestHeaders
{
    /// <summary>The value (several lines joined with ","), or null when absent.</summary>
    string? Get(string lowerCaseName);
}
