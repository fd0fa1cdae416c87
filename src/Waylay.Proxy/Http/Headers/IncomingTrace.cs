namespace Waylay.Proxy.Http.Headers;

/// <summary>What a request's trace fields said.</summary>
internal enum IncomingTraceKind
{
    /// <summary>No context: the proxy starts a root span (a lone sampling flag may still have decided sampling).</summary>
    None,

    /// <summary>A valid B3 (single or multi) or W3C context to continue.</summary>
    Context,

    /// <summary>Malformed B3: Envoy traces nothing for the request and forwards its fields untouched.</summary>
    Invalid,
}

/// <summary>
/// Reads the caller's trace context the way Envoy's Zipkin tracer does with W3C fallback
/// (<c>USE_B3_WITH_W3C_PROPAGATION</c>): the single <c>b3</c> field first, then <c>x-b3-traceid</c>+<c>x-b3-spanid</c>,
/// then <c>traceparent</c>. Only the first line of each field counts (they are caller-controlled). Allocates nothing.
/// </summary>
internal readonly record struct IncomingTrace(IncomingTraceKind Kind, TraceContext Context, bool? Sampled, bool Debug, bool HasTraceFields)
{
    public static IncomingTrace Read<TFields>(TFields head)
        where TFields : ITraceFields
    {
        var b3 = head.First("b3"u8, out var hasB3);
        var traceId = head.First("x-b3-traceid"u8, out var hasTraceId);
        var spanId = head.First("x-b3-spanid"u8, out var hasSpanId);
        var parent = head.First("x-b3-parentspanid"u8, out var hasParent);
        var sampledField = head.First("x-b3-sampled"u8, out var hasSampled);
        var flags = head.First("x-b3-flags"u8, out var hasFlags);
        var traceParent = head.First("traceparent"u8, out var hasTraceParent);
        var hasTraceFields = hasB3 || hasTraceId || hasSpanId || hasParent || hasSampled || hasTraceParent;

        // :: Step 1, the sampling decision (Envoy's extractSampled): b3's flag, else x-b3-sampled ("1" or "true").
        //    x-b3-flags: 1 is B3's debug, which implies sampled (Envoy ignores it; see docs/designs/telemetry.md).
        var debug = hasFlags && flags.SequenceEqual("1"u8);
        bool? sampled = null;
        if (hasB3)
        {
            var at = b3.Length switch { 1 => 0, 35 or 52 => 34, 51 or 68 => 50, _ => -1 };
            if (at >= 0 && b3[at] is (byte)'0' or (byte)'1' or (byte)'d')
            {
                sampled = b3[at] != '0';
                debug |= b3[at] == 'd';
            }
        }
        else if (hasSampled)
        {
            sampled = sampledField.SequenceEqual("1"u8) || sampledField.SequenceEqual("true"u8);
        }

        if (debug)
        {
            sampled = true;
        }

        // :: Step 2, the context.
        if (hasB3)
        {
            return ReadB3Single(b3, out var context)
                ? new(context == default ? IncomingTraceKind.None : IncomingTraceKind.Context, context, sampled, debug, hasTraceFields)
                : new(IncomingTraceKind.Invalid, default, sampled, debug, hasTraceFields);
        }

        if (hasTraceId && hasSpanId)
        {
            ulong high = 0, low;
            var ok = traceId.Length == 32
                ? Hex.TryParse(traceId[..16], out high) & Hex.TryParse(traceId[16..], out low)
                : Hex.TryParse(traceId, out low);
            ok &= Hex.TryParse(spanId, out var span);
            ulong parentId = 0;
            ok &= !hasParent || parent.IsEmpty || Hex.TryParse(parent, out parentId);
            return ok
                ? new(IncomingTraceKind.Context, new TraceContext(high, low, span, parentId, sampled ?? false, debug), sampled, debug, hasTraceFields)
                : new(IncomingTraceKind.Invalid, default, sampled, debug, hasTraceFields);
        }

        // :: Step 3, W3C fallback. An invalid traceparent starts a new trace (W3C §4.3), it does not stop tracing.
        if (hasTraceParent && ReadTraceParent(traceParent, out var w3c))
        {
            sampled ??= w3c.Sampled;
            return new(IncomingTraceKind.Context, w3c with { Sampled = sampled.Value, Debug = debug }, sampled, debug, hasTraceFields);
        }

        return new(IncomingTraceKind.None, default, sampled, debug, hasTraceFields);
    }

    /// <summary>Envoy's <c>extractSpanContextFromB3SingleFormat</c>; a lone flag is valid and yields no context (default).</summary>
    private static bool ReadB3Single(ReadOnlySpan<byte> b3, out TraceContext context)
    {
        context = default;
        if (b3.Length == 1)
        {
            return b3[0] is (byte)'0' or (byte)'1' or (byte)'d';
        }

        if (b3.Length < 33 || b3.Length > 68)
        {
            return false;
        }

        ulong high = 0, low;
        var pos = 0;
        if (b3.Length > 32 && b3[32] == '-')
        {
            if (!Hex.TryParse(b3[..16], out high) || !Hex.TryParse(b3.Slice(16, 16), out low))
            {
                return false;
            }

            pos = 32;
        }
        else
        {
            if (!Hex.TryParse(b3[..16], out low))
            {
                return false;
            }

            pos = 16;
        }

        if (b3[pos++] != '-' || b3.Length < pos + 16 || !Hex.TryParse(b3.Slice(pos, 16), out var span))
        {
            return false;
        }

        pos += 16;
        var sampled = false;
        var debug = false;
        ulong parent = 0;
        if (b3.Length > pos)
        {
            // "-{flag}" then optionally "-{parent}"
            if (b3.Length == pos + 1 || b3[pos++] != '-')
            {
                return false;
            }

            if (!(b3.Length == pos + 1 || b3[pos + 1] == '-') || b3[pos] is not ((byte)'0' or (byte)'1' or (byte)'d'))
            {
                return false;
            }

            sampled = b3[pos] != '0';
            debug = b3[pos] == 'd';
            pos++;
            if (b3.Length > pos)
            {
                if (b3.Length != pos + 17 || !Hex.TryParse(b3[(pos + 1)..], out parent))
                {
                    return false;
                }
            }
        }

        context = new TraceContext(high, low, span, parent, sampled, debug);
        return low != 0 || high != 0;
    }

    /// <summary>W3C Trace Context §3.2: version 00 is exactly 55 characters; a later version may append fields after a dash.</summary>
    private static bool ReadTraceParent(ReadOnlySpan<byte> value, out TraceContext context)
    {
        context = default;
        if (value.Length < 55 || value[2] != '-' || value[35] != '-' || value[52] != '-'
            || !Hex.TryParseLower(value[..2], out var version) || version == 0xff
            || (version == 0 && value.Length != 55) || (value.Length > 55 && value[55] != '-'))
        {
            return false;
        }

        if (!Hex.TryParseLower(value.Slice(3, 16), out var high) || !Hex.TryParseLower(value.Slice(19, 16), out var low)
            || !Hex.TryParseLower(value.Slice(36, 16), out var span) || !Hex.TryParseLower(value.Slice(53, 2), out var flags)
            || (high == 0 && low == 0) || span == 0)
        {
            return false;
        }

        context = new TraceContext(high, low, span, 0, (flags & 1) != 0, false);
        return true;
    }
}
