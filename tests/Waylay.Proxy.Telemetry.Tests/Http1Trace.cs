using Waylay.Proxy.Http.Headers;
using Waylay.Proxy.Http.Http1;

namespace Waylay.Proxy.Telemetry.Tests;

/// <summary>
/// The tests' shorthand for an HTTP/1 head read the way the forwarder reads it (through <see cref="Http1TraceFields"/>):
/// <c>Http.Headers</c> itself knows no codec, so these overloads live here rather than beside the types they extend.
/// </summary>
internal static class Http1Trace
{
    extension(IncomingTrace)
    {
        public static IncomingTrace Read(Http1RequestHead head) => IncomingTrace.Read(new Http1TraceFields(head));
    }

    extension(RequestDecorator decorator)
    {
        public ProxyFields Decorate(Http1RequestHead head, SpanKind kind, string? downstreamAddress, string scheme = "http") =>
            decorator.Decorate(new Http1TraceFields(head), kind, downstreamAddress, scheme);
    }
}
