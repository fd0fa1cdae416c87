using Microsoft.AspNetCore.Http;
using Waylay.Proxy.Http.Headers;
using Waylay.Proxy.Routing;
using Yarp.ReverseProxy.Forwarder;

namespace Waylay.Proxy.Http.Http2;

/// <summary>
/// One request's transform, as a transparent sidecar forwards: every field as received, Host/:authority kept (YARP's
/// default would replace it with the endpoint's address and add X-Forwarded-Host), then the route's header edits,
/// then the proxy's own fields exactly as on the HTTP/1 path (<see cref="RequestDecorator"/>: <c>x-forwarded-for</c>
/// appended, <c>x-forwarded-proto</c> and <c>x-request-id</c> when missing, this hop's B3/W3C trace context replacing
/// the caller's), and the path the route rewrote. Responses get the route's response edits; trailers pass as they are.
/// A response the try decides to retry (<see cref="Http2Try.Commit"/>) is not copied at all: YARP then disposes it
/// (resetting the upstream stream if it had more to send) and ends the try's request body copy.
/// </summary>
internal sealed class TransparentTransformer(string pathAndQuery, HeaderEdits requestEdits, HeaderEdits responseEdits, ProxyFields proxyFields,
    Http2Try? attempt = null)
    : HttpTransformer
{
    private readonly ProxyFields _proxyFields = proxyFields;

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken).ConfigureAwait(false);
        foreach (var name in requestEdits.Masked)
        {
            Remove(proxyRequest, name);
        }

        foreach (var (name, value) in requestEdits.Added)
        {
            Add(proxyRequest, name, value);
        }

        if (_proxyFields.ReplacesReceived)
        {
            // This hop's span goes on, not the caller's (the HTTP/1 path masks the same fields).
            foreach (var name in TraceFieldNames.Replaced)
            {
                proxyRequest.Headers.Remove(name);
            }
        }

        // Ids are formatted here, as strings: the same text the HTTP/1 writer formats into its bytes.
        for (var i = 0; i < _proxyFields.Count; i++)
        {
            Add(proxyRequest, _proxyFields.Name(i), _proxyFields.Value(i));
        }

        proxyRequest.RequestUri = new Uri(destinationPrefix + pathAndQuery, UriKind.Absolute);
    }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        if (proxyResponse is not null && attempt is not null && !attempt.Commit(proxyResponse))
        {
            return false;
        }

        var copy = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken).ConfigureAwait(false);
        if (copy && !responseEdits.IsEmpty)
        {
            var headers = httpContext.Response.Headers;
            foreach (var name in responseEdits.Masked)
            {
                headers.Remove(name);
            }

            foreach (var (name, value) in responseEdits.Added)
            {
                headers.Append(name, value);
            }
        }

        return copy;
    }

    private static void Remove(HttpRequestMessage request, string name)
    {
        request.Headers.Remove(name);
        request.Content?.Headers.Remove(name);
    }

    private static void Add(HttpRequestMessage request, string name, string value)
    {
        if (!request.Headers.TryAddWithoutValidation(name, value) && request.Content is { } content)
        {
            // content-type and friends live on the content's headers
            content.Headers.TryAddWithoutValidation(name, value);
        }
    }
}
