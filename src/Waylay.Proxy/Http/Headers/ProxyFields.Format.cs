namespace Waylay.Proxy.Http.Headers;

/// <summary>
/// The formatted values as bytes: the only formatter, so the HTTP/1 head and <see cref="Value"/> cannot disagree. The
/// text is <see cref="TraceContext"/>'s (<c>TraceIdHex</c>, <c>TraceParent</c>, <c>B3Single</c>) and a UUID's
/// (RFC 9562 §4: 8-4-4-4-12 lower-case hex digits).
/// </summary>
public partial struct ProxyFields
{
    /// <summary>The longest formatted value: a <c>b3</c> with a 128-bit trace id and a parent (32+1+16+2+17).</summary>
    public const int MaxFormattedLength = 68;

    /// <summary>Writes a formatted value (<see cref="Text"/> is null) into at least <see cref="MaxFormattedLength"/> bytes; returns its length.</summary>
    internal readonly int FormatValue(int index, Span<byte> destination) => Format(Entry(index).Kind, destination);

    private readonly int Format(ProxyFieldKind kind, Span<byte> destination) => kind switch
    {
        ProxyFieldKind.RequestId => WriteRequestId(destination, _requestIdHigh, _requestIdLow),
        ProxyFieldKind.TraceId => WriteTraceId(destination, Trace!.Value),
        ProxyFieldKind.SpanId => WriteId(destination, Trace!.Value.SpanId),
        ProxyFieldKind.ParentSpanId => WriteId(destination, Trace!.Value.ParentId),
        ProxyFieldKind.TraceParent => WriteTraceParent(destination, Trace!.Value),
        ProxyFieldKind.B3Single => WriteB3Single(destination, Trace!.Value),
        _ => throw new InvalidOperationException($"{kind} is kept as text"),
    };

    private static int WriteId(Span<byte> destination, ulong id)
    {
        Hex.Write(destination, id);
        return 16;
    }

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

    /// <summary>16 digits, or 32 when the high half is set (Envoy's <c>x-b3-traceid</c>).</summary>
    private static int WriteTraceId(Span<byte> destination, TraceContext trace)
    {
        if (!trace.Is128Bit)
        {
            return WriteId(destination, trace.TraceId);
        }

        Hex.Write(destination, trace.TraceIdHigh);
        Hex.Write(destination[16..], trace.TraceId);
        return 32;
    }

    /// <summary><c>00-{32 hex trace id}-{span id}-{01|00}</c>.</summary>
    private static int WriteTraceParent(Span<byte> destination, TraceContext trace)
    {
        var span = destination[..55];
        "00-"u8.CopyTo(span);
        Hex.Write(span[3..], trace.TraceIdHigh);
        Hex.Write(span[19..], trace.TraceId);
        span[35] = (byte)'-';
        Hex.Write(span[36..], trace.SpanId);
        span[52] = (byte)'-';
        span[53] = (byte)'0';
        span[54] = trace.Sampled ? (byte)'1' : (byte)'0';
        return 55;
    }

    /// <summary><c>{trace id}-{span id}-{1|0|d}[-{parent id}]</c>.</summary>
    private static int WriteB3Single(Span<byte> destination, TraceContext trace)
    {
        var at = WriteTraceId(destination, trace);
        destination[at++] = (byte)'-';
        Hex.Write(destination[at..], trace.SpanId);
        at += 16;
        destination[at++] = (byte)'-';
        destination[at++] = trace.Debug ? (byte)'d' : trace.Sampled ? (byte)'1' : (byte)'0';
        if (trace.HasParent)
        {
            destination[at++] = (byte)'-';
            Hex.Write(destination[at..], trace.ParentId);
            at += 16;
        }

        return at;
    }
}
