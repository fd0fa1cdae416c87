using System.Text;

namespace Waylay.Proxy.Http.Headers;

/// <summary>Which half of an exchange a span describes: the outbound sidecar's call is the client, the inbound sidecar's the server.</summary>
// Public only because xunit theories take it as a parameter (a test method must be public).
public enum SpanKind
{
    /// <summary>Envoy's egress operation (outbound capture): a new child span.</summary>
    Client,

    /// <summary>Envoy's ingress operation (inbound capture): shares the client's span id (Zipkin's shared span).</summary>
    Server,
}

/// <summary>
/// One hop's B3/W3C trace context as Envoy's Zipkin tracer keeps it: a 64- or 128-bit trace id (high half zero for
/// 64-bit), this hop's span id, its parent (0 for a root span) and the sampling decision, which is never changed once
/// made upstream. Ids are never zero (B3 and W3C both call an all-zero id invalid).
/// </summary>
internal readonly record struct TraceContext(ulong TraceIdHigh, ulong TraceId, ulong SpanId, ulong ParentId, bool Sampled, bool Debug)
{
    /// <summary>The longest value written here: a <c>b3</c> with a 128-bit trace id and a parent (32+1+16+2+17).</summary>
    public const int MaxLength = 68;

    public bool Is128Bit => TraceIdHigh != 0;

    public bool HasParent => ParentId != 0;

    /// <summary>16 or 32 lower-case hex digits, as Envoy writes <c>x-b3-traceid</c> (32 only when the high half is set).</summary>
    public string TraceIdHex() => Text(static (c, bytes) => c.WriteTraceIdHex(bytes));

    /// <summary>Always 32 hex digits (W3C and Zipkin v2 accept a 64-bit id left-padded with zeros).</summary>
    public string TraceId128Hex() => Text(static (c, bytes) => c.WriteTraceId128Hex(bytes));

    /// <summary><c>00-{trace-id}-{parent-id}-{flags}</c> where the W3C parent-id is this hop's span id.</summary>
    public string TraceParent() => Text(static (c, bytes) => c.WriteTraceParent(bytes));

    /// <summary>The single <c>b3</c> header: <c>{traceid}-{spanid}-{1|0|d}[-{parentid}]</c>.</summary>
    public string B3Single() => Text(static (c, bytes) => c.WriteB3Single(bytes));

    // :: The formats as bytes (into at least MaxLength): the one place each is written, by the HTTP/1 head writer
    // straight into a head (ProxyFields) and, through Text, as the strings above.

    internal int WriteTraceIdHex(Span<byte> destination) => Is128Bit ? WriteTraceId128Hex(destination) : WriteId(destination, TraceId);

    internal int WriteTraceId128Hex(Span<byte> destination)
    {
        Hex.Write(destination, TraceIdHigh);
        Hex.Write(destination[16..], TraceId);
        return 32;
    }

    internal int WriteTraceParent(Span<byte> destination)
    {
        var span = destination[..55];
        "00-"u8.CopyTo(span);
        WriteTraceId128Hex(span[3..]);
        span[35] = (byte)'-';
        Hex.Write(span[36..], SpanId);
        span[52] = (byte)'-';
        span[53] = (byte)'0';
        span[54] = Sampled ? (byte)'1' : (byte)'0';
        return 55;
    }

    internal int WriteB3Single(Span<byte> destination)
    {
        var at = WriteTraceIdHex(destination);
        destination[at++] = (byte)'-';
        at += WriteId(destination[at..], SpanId);
        destination[at++] = (byte)'-';
        destination[at++] = Debug ? (byte)'d' : Sampled ? (byte)'1' : (byte)'0';
        if (HasParent)
        {
            destination[at++] = (byte)'-';
            at += WriteId(destination[at..], ParentId);
        }

        return at;
    }

    internal static int WriteId(Span<byte> destination, ulong id)
    {
        Hex.Write(destination, id);
        return 16;
    }

    private string Text(Func<TraceContext, Span<byte>, int> write)
    {
        Span<byte> bytes = stackalloc byte[MaxLength];
        return Encoding.Latin1.GetString(bytes[..write(this, bytes)]);
    }
}
