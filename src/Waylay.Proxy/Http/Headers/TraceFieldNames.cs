namespace Waylay.Proxy.Http.Headers;

/// <summary>The request fields the proxy reads or writes for identity and tracing (lower case, as written).</summary>
internal static class TraceFieldNames
{
    public const string RequestId = "x-request-id";
    public const string ForwardedFor = "x-forwarded-for";
    public const string ForwardedProto = "x-forwarded-proto";
    public const string B3TraceId = "x-b3-traceid";
    public const string B3SpanId = "x-b3-spanid";
    public const string B3ParentSpanId = "x-b3-parentspanid";
    public const string B3Sampled = "x-b3-sampled";
    public const string B3Flags = "x-b3-flags";
    public const string B3 = "b3";
    public const string TraceParent = "traceparent";
    public const string TraceState = "tracestate";

    /// <summary>
    /// Received fields the proxy replaces with its own values when it continues a trace: a hop forwards its own span
    /// id, so the caller's must not reach the app too. <c>x-b3-flags</c> and <c>tracestate</c> pass unchanged.
    /// </summary>
    public static readonly string[] Replaced = [B3TraceId, B3SpanId, B3ParentSpanId, B3Sampled, B3, TraceParent];
}
