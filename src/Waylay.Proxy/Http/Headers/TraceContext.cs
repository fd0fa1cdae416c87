namespace Waylay.Proxy.Http.Headers;

/// <summary>Which half of an exchange a span describes: the outbound sidecar's call is the client, the inbound sidecar's the server.</summary>
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
public readonly record struct TraceContext(ulong TraceIdHigh, ulong TraceId, ulong SpanId, ulong ParentId, bool Sampled, bool Debug)
{
    public bool Is128Bit => TraceIdHigh != 0;

    public bool HasParent => ParentId != 0;

    /// <summary>16 or 32 lower-case hex digits, as Envoy writes <c>x-b3-traceid</c> (32 only when the high half is set).</summary>
    public string TraceIdHex() => Is128Bit
        ? string.Create(32, this, static (span, c) => { Hex.Write(span, c.TraceIdHigh); Hex.Write(span[16..], c.TraceId); })
        : Hex.Of(TraceId);

    /// <summary>Always 32 hex digits (W3C and Zipkin v2 accept a 64-bit id left-padded with zeros).</summary>
    public string TraceId128Hex() => string.Create(32, this, static (span, c) => { Hex.Write(span, c.TraceIdHigh); Hex.Write(span[16..], c.TraceId); });

    /// <summary><c>00-{trace-id}-{parent-id}-{flags}</c> where the W3C parent-id is this hop's span id.</summary>
    public string TraceParent() => string.Create(55, this, static (span, c) =>
    {
        "00-".CopyTo(span);
        Hex.Write(span[3..], c.TraceIdHigh);
        Hex.Write(span[19..], c.TraceId);
        span[35] = '-';
        Hex.Write(span[36..], c.SpanId);
        span[52] = '-';
        span[53] = '0';
        span[54] = c.Sampled ? '1' : '0';
    });

    /// <summary>The single <c>b3</c> header: <c>{traceid}-{spanid}-{1|0|d}[-{parentid}]</c>.</summary>
    public string B3Single()
    {
        var traceLength = Is128Bit ? 32 : 16;
        var length = traceLength + 1 + 16 + 2 + (HasParent ? 17 : 0);
        return string.Create(length, this, static (span, c) =>
        {
            var at = 0;
            if (c.Is128Bit)
            {
                Hex.Write(span, c.TraceIdHigh);
                at = 16;
            }

            Hex.Write(span[at..], c.TraceId);
            at += 16;
            span[at++] = '-';
            Hex.Write(span[at..], c.SpanId);
            at += 16;
            span[at++] = '-';
            span[at++] = c.Debug ? 'd' : c.Sampled ? '1' : '0';
            if (c.HasParent)
            {
                span[at++] = '-';
                Hex.Write(span[at..], c.ParentId);
            }
        });
    }
}
