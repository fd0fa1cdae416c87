using System.Buffers.Binary;

namespace Waylay.Proxy.Http.Headers;

/// <summary>
/// Decides, per forwarded request, the proxy's own fields: <c>x-request-id</c> when missing (UUID v4),
/// <c>x-forwarded-for</c>/<c>x-forwarded-proto</c>, and the next hop's trace context, as Envoy's Zipkin tracer does:
/// <code>
///   incoming context?  ── none ─────► root span: id = random, trace id low = the same id (Envoy), high random if 128-bit
///                      ├─ malformed ► no span, nothing written (Envoy's NullSpan)
///                      └─ valid ───► Client (egress), or Server without shared context: new id, parent = caller's span
///                                    Server with shared context: caller's id and parent (one span, two halves)
///   trace id and the sampling decision are always kept; a missing decision is made here (SamplingPercentage)
///   written: x-b3-traceid, x-b3-spanid, x-b3-parentspanid (if any), x-b3-sampled, traceparent, and b3 if it was sent
/// </code>
/// Allocates nothing: new ids are kept as numbers in <see cref="ProxyFields"/> and formatted where they are written. <paramref name="random"/> must be safe to share across threads when the
/// decorator is (use <see cref="Random.Shared"/>; tests pass a seeded instance).
/// </summary>
internal sealed class RequestDecorator(RequestDecoratorOptions options, Random random)
{
    private const string Sampled = "1";
    private const string NotSampled = "0";

    public RequestDecoratorOptions Options { get; } = options;

    /// <summary>The proxy's fields for a request whose fields <typeparamref name="TFields"/> reads (HTTP/1's head, h2's header dictionary).</summary>
    /// <param name="downstreamAddress">The connection's client address as text, computed once per connection.</param>
    /// <param name="scheme">"http", or "https" when the downstream connection was TLS the proxy terminated.</param>
    public ProxyFields Decorate<TFields>(TFields head, SpanKind kind, string? downstreamAddress, string scheme = "http")
        where TFields : ITraceFields
    {
        var fields = default(ProxyFields);
        Decorate(ref fields, head, kind, downstreamAddress, scheme);
        return fields;
    }

    /// <summary>
    /// Into <paramref name="fields"/> (empty), where they will be kept: the HTTP/1 path's exchange, which would
    /// otherwise take a copy of some twenty references, write barriers and all, per request.
    /// </summary>
    public void Decorate<TFields>(ref ProxyFields fields, TFields head, SpanKind kind, string? downstreamAddress, string scheme = "http")
        where TFields : ITraceFields
    {
        if (!head.HasField("x-request-id"u8))
        {
            var (high, low) = NewRequestId();
            fields.AddRequestId(TraceFieldNames.RequestId, high, low);
        }

        // A second x-forwarded-for line is the same list as an appended element (RFC 9110 §5.3), and leaves the
        // received line untouched: no rewriting of caller bytes.
        if (Options.AppendForwardedFor && downstreamAddress is not null)
        {
            fields.AppendedForwardedFor = downstreamAddress;
            fields.Add(TraceFieldNames.ForwardedFor, downstreamAddress);
        }

        if (!head.HasField("x-forwarded-proto"u8))
        {
            fields.Add(TraceFieldNames.ForwardedProto, scheme);
        }

        var incoming = IncomingTrace.Read(head);
        if (incoming.Kind == IncomingTraceKind.Invalid)
        {
            return;
        }

        var sampled = incoming.Sampled ?? Decide();
        TraceContext span;
        if (incoming.Kind == IncomingTraceKind.None)
        {
            var id = NextId();
            span = new TraceContext(Options.TraceId128Bit ? NextId() : 0, id, id, 0, sampled, incoming.Debug);
        }
        else if (kind == SpanKind.Client || !Options.SharedSpanContext)
        {
            var caller = incoming.Context;
            span = new TraceContext(caller.TraceIdHigh, caller.TraceId, NextId(), caller.SpanId, sampled, incoming.Debug);
        }
        else
        {
            span = incoming.Context with { Sampled = sampled, Debug = incoming.Debug };
            fields.SharesCallerSpan = true;
        }

        fields.Trace = span;
        fields.ReplacesReceived = incoming.HasTraceFields;
        fields.Add(TraceFieldNames.B3TraceId, ProxyFieldKind.TraceId);
        fields.Add(TraceFieldNames.B3SpanId, ProxyFieldKind.SpanId);
        if (span.HasParent)
        {
            fields.Add(TraceFieldNames.B3ParentSpanId, ProxyFieldKind.ParentSpanId);
        }

        fields.Add(TraceFieldNames.B3Sampled, sampled ? Sampled : NotSampled);
        fields.Add(TraceFieldNames.TraceParent, ProxyFieldKind.TraceParent);
        if (head.HasField("b3"u8))
        {
            fields.Add(TraceFieldNames.B3, ProxyFieldKind.B3Single);
        }
    }

    private bool Decide() => Options.SamplingPercentage >= 100
        || (Options.SamplingPercentage > 0 && random.NextDouble() * 100 < Options.SamplingPercentage);

    /// <summary>A random non-zero 64-bit id (zero means "absent" in B3 and W3C).</summary>
    private ulong NextId()
    {
        Span<byte> bytes = stackalloc byte[8];
        ulong id;
        do
        {
            random.NextBytes(bytes);
            id = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        }
        while (id == 0);

        return id;
    }

    /// <summary>RFC 9562 §5.4: 122 random bits, version 4, variant 10; kept as two halves, formatted where written.</summary>
    private (ulong High, ulong Low) NewRequestId()
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        bytes[6] = (byte)((bytes[6] & 0x0f) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3f) | 0x80);
        var high = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        var low = BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
        return (high, low);
    }
}
