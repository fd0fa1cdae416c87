namespace Waylay.Proxy.Http.Headers;

/// <summary>
/// The formatted values as bytes, so the HTTP/1 head and <see cref="Value"/> cannot disagree: the trace fields in
/// <see cref="TraceContext"/>'s own formats, the request id as a UUID (RFC 9562 §4: 8-4-4-4-12 lower-case hex digits).
/// </summary>
internal partial struct ProxyFields
{
    /// <summary>The longest formatted value (a <c>b3</c> with a 128-bit trace id and a parent).</summary>
    public const int MaxFormattedLength = TraceContext.MaxLength;

    /// <summary>Writes a formatted value (<see cref="Text"/> is null) into at least <see cref="MaxFormattedLength"/> bytes; returns its length.</summary>
    internal readonly int FormatValue(int index, Span<byte> destination) => Format(Entry(index).Kind, destination);

    private readonly int Format(ProxyFieldKind kind, Span<byte> destination) => kind switch
    {
        ProxyFieldKind.RequestId => WriteRequestId(destination, _requestIdHigh, _requestIdLow),
        ProxyFieldKind.TraceId => Trace!.Value.WriteTraceIdHex(destination),
        ProxyFieldKind.SpanId => TraceContext.WriteId(destination, Trace!.Value.SpanId),
        ProxyFieldKind.ParentSpanId => TraceContext.WriteId(destination, Trace!.Value.ParentId),
        ProxyFieldKind.TraceParent => Trace!.Value.WriteTraceParent(destination),
        ProxyFieldKind.B3Single => Trace!.Value.WriteB3Single(destination),
        _ => throw new InvalidOperationException($"{kind} is kept as text"),
    };

    private static int WriteRequestId(Span<byte> destination, ulong high, ulong low)
    {
        var span = destination[..36];
        Hex.Write(span, high >> 32, 8);
        span[8] = (byte)'-';
        Hex.Write(span[9..], high >> 16, 4);
        span[13] = (byte)'-';
        Hex.Write(span[14..], high, 4);
        span[18] = (byte)'-';
        Hex.Write(span[19..], low >> 48, 4);
        span[23] = (byte)'-';
        Hex.Write(span[24..], low, 12);
        return 36;
    }
}
