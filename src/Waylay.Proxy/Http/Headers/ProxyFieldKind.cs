namespace Waylay.Proxy.Http.Headers;

/// <summary>
/// What a proxy field's value is made from: a string it already has (<see cref="Text"/>), or ids it keeps as numbers
/// and formats only where the value is wanted — straight into the HTTP/1 head's bytes, or as a string for h2 and tests.
/// </summary>
internal enum ProxyFieldKind : byte
{
    /// <summary>A string kept as it is: <c>x-forwarded-for</c>, <c>x-forwarded-proto</c>, <c>x-b3-sampled</c>.</summary>
    Text,

    /// <summary>The generated <c>x-request-id</c>: a UUID v4 from the two 64-bit halves (36 characters).</summary>
    RequestId,

    /// <summary><see cref="TraceContext.TraceIdHex"/>: 16 or 32 hex digits.</summary>
    TraceId,

    /// <summary>The span's id, 16 hex digits.</summary>
    SpanId,

    /// <summary>The span's parent id, 16 hex digits.</summary>
    ParentSpanId,

    /// <summary><see cref="TraceContext.TraceParent"/>: 55 characters.</summary>
    TraceParent,

    /// <summary><see cref="TraceContext.B3Single"/>: 35 to 68 characters.</summary>
    B3Single,
}
