using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Waylay.Proxy.Http.Http2;

/// <summary>
/// What Kestrel runs per request, without ASP.NET Core's hosting layer (no middleware pipeline, no routing, nothing
/// reflection-built: the NativeAOT sidecar carries only this): a plain HttpContext over Kestrel's features, handed to
/// the forwarder.
/// </summary>
internal sealed class Http2Application(Http2Forwarder forwarder) : IHttpApplication<HttpContext>
{
    public HttpContext CreateContext(IFeatureCollection contextFeatures) => new DefaultHttpContext(contextFeatures);

    public Task ProcessRequestAsync(HttpContext context) => forwarder.ForwardAsync(context);

    public void DisposeContext(HttpContext context, Exception? exception)
    {
    }
}
