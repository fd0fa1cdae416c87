using Waylay.Proxy.Routing;

namespace Waylay.Proxy.Tests.Http;

/// <summary>A request without header fields, for routing by path alone.</summary>
internal sealed class NoHeaders : IRequestHeaders
{
    public string? Get(string lowerCaseName) => null;
}
