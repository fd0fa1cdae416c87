using Microsoft.AspNetCore.Http;
using Waylay.Proxy.Routing;

namespace Waylay.Proxy.Http.Http2;

/// <summary>Kestrel's request headers as the route engine reads them (several values joined with ",", as Envoy does).</summary>
internal sealed class KestrelRequestHeaders(IHeaderDictionary headers) : IRequestHeaders
{
    public string? Get(string lowerCaseName) =>
        headers.TryGetValue(lowerCaseName, out var values) && values.Count > 0 ? values.ToString() : null;
}
