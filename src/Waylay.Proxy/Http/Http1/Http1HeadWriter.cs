using System.Buffers;
using Waylay.Proxy.Http.Headers;
using Waylay.Proxy.Routing;

namespace Waylay.Proxy.Http.Http1;

/// <summary>
/// Writes the heads the proxy sends on: what it received, minus hop-by-hop fields and the received framing, plus the
/// route's header edits and the proxy's own fields, then framing the proxy itself chose. What the next hop reads is
/// therefore always what the proxy parsed: one framing, one Host, no field the client asked to be hop-by-hop.
/// <code>
///   request:  METHOD SP origin-form SP HTTP/1.1   (absolute-form becomes origin-form + Host from its authority)
///   response: HTTP/1.1 SP code SP reason
///   fields:   received (ForwardsAsIs, not masked by edits) · edits.Added · extra
///   framing:  Transfer-Encoding: chunked | Content-Length: n | nothing;  Connection: close | upgrade + Upgrade
/// </code>
/// </summary>
internal static class Http1HeadWriter
{
    /// <param name="pathAndQuery">The path to send, usually <see cref="RouteSelection.RewritePath"/> of <see cref="Http1RequestHead.PathAndQuery"/>.</param>
    /// <param name="defaultAuthority">Host for an HTTP/1.0 request that had none (HTTP/1.1 upstreams require one).</param>
    /// <param name="extra">The proxy's own fields (x-forwarded-for, x-request-id, traceparent…); written after the received ones, as they
    /// are: <c>ProxyFields</c> makes them from constant names and values it formats itself. The forwarding path uses the
    /// <see cref="ProxyFields"/> overload; this one is for heads with fields as strings (tests, other callers).</param>
    public static void WriteRequest(IBufferWriter<byte> output, Http1RequestHead head, string pathAndQuery, HeaderEdits edits,
        ReadOnlySpan<KeyValuePair<string, string>> extra, string defaultAuthority, bool keepAlive = true)
    {
        var writer = new HeadCursor(output);
        WriteRequestStart(ref writer, head, pathAndQuery, edits, defaultAuthority);
        WriteAdded(ref writer, edits);
        WriteExtra(ref writer, extra);
        WriteFraming(ref writer, head, keepAlive, head.Upgrade);
        writer.Commit();
    }

    /// <summary>
    /// The same with the proxy's fields as the decorator keeps them: ids are formatted straight into the head's bytes
    /// (the forwarding path's form; nothing is allocated per request). Pass the exchange's field, not a copy.
    /// </summary>
    public static void WriteRequest(IBufferWriter<byte> output, Http1RequestHead head, string pathAndQuery, HeaderEdits edits,
        in ProxyFields extra, string defaultAuthority, bool keepAlive = true)
    {
        var writer = new HeadCursor(output);
        WriteRequestStart(ref writer, head, pathAndQuery, edits, defaultAuthority);
        WriteAdded(ref writer, edits);
        WriteProxyFields(ref writer, extra);
        WriteFraming(ref writer, head, keepAlive, head.Upgrade);
        writer.Commit();
    }

    /// <summary>Request line, Host and the received fields that go on.</summary>
    private static void WriteRequestStart(ref HeadCursor writer, Http1RequestHead head, string pathAndQuery, HeaderEdits edits, string defaultAuthority)
    {
        writer.Latin1(head.Method);
        writer.Latin1(" ");
        writer.Latin1(head.TargetForm is RequestTargetForm.Authority or RequestTargetForm.Asterisk ? head.PathAndQuery : pathAndQuery);
        writer.Write(" HTTP/1.1\r\n"u8);

        var hostWritten = false;
        if (head.TargetForm == RequestTargetForm.Absolute)
        {
            Field(ref writer, "host"u8, head.Authority);
            hostWritten = true;
        }

        for (var i = 0; i < head.FieldCount; i++)
        {
            if (head.FieldKind(i) == KnownField.Host)
            {
                if (hostWritten)
                {
                    continue;
                }

                hostWritten = true;
            }

            // Expect: 100-continue was answered by the proxy itself (WriteContinue), as Envoy does by default: the
            // upstream must not hold back the body waiting to answer it too.
            if (head.ForwardsAsIs(i) && !IsMasked(head.FieldName(i), edits) && !IsContinueExpectation(head, i))
            {
                Field(ref writer, head.FieldName(i), head.FieldValue(i));
            }
        }

        if (!hostWritten)
        {
            Field(ref writer, "host"u8, defaultAuthority);
        }
    }

    private static bool IsContinueExpectation(Http1RequestHead head, int i) =>
        head.ExpectContinue && head.FieldKind(i) == KnownField.Expect && HttpChars.EqualsIgnoreCase(head.FieldValue(i), "100-continue"u8);

    /// <summary>The response head to send downstream.</summary>
    public static void WriteResponse(IBufferWriter<byte> output, Http1ResponseHead head, HeaderEdits edits,
        ReadOnlySpan<KeyValuePair<string, string>> extra, bool keepAlive = true)
    {
        var writer = new HeadCursor(output);
        writer.Write("HTTP/1.1 "u8);
        writer.Number(head.StatusCode);
        writer.Write(" "u8);
        writer.Write(head.Reason);
        writer.Write("\r\n"u8);
        // A response with no body to relay keeps its Content-Length: "0" is the framing that ends it (without it a
        // keep-alive client reads until close), and a HEAD or 304 answer's length describes the representation.
        // 1xx and 204 never carry one (RFC 9110 §8.6).
        var keepsLength = head.Framing == BodyFraming.None && head.StatusCode is >= 200 and not 204;
        for (var i = 0; i < head.FieldCount; i++)
        {
            if ((head.ForwardsAsIs(i) || (keepsLength && head.IsContentLength(i))) && !IsMasked(head.FieldName(i), edits))
            {
                Field(ref writer, head.FieldName(i), head.FieldValue(i));
            }
        }

        WriteAdded(ref writer, edits);
        WriteExtra(ref writer, extra);
        WriteFraming(ref writer, head, keepAlive && head.Framing != BodyFraming.UntilClose, head.StatusCode == 101 ? head.GetField("upgrade") : null);
        writer.Commit();
    }

    /// <summary>
    /// <c>100 Continue</c> from the proxy itself to a request with <c>Expect: 100-continue</c>: Envoy's default
    /// (<c>proxy_100_continue: false</c>) answers the expectation at the proxy and removes it from the request sent on,
    /// so the body arrives whatever endpoint (or how many tries) it goes to.
    /// </summary>
    public static void WriteContinue(IBufferWriter<byte> writer) => writer.Write("HTTP/1.1 100 Continue\r\n\r\n"u8);

    /// <summary>
    /// A response the proxy makes itself (a refusal, no route, a fault abort): no body, the reason in
    /// <c>x-waylay-proxy-error</c> (linkerd's <c>l5d-proxy-error</c>), and <c>Connection: close</c> unless told otherwise.
    /// </summary>
    public static void WriteSynthetic(IBufferWriter<byte> output, int status, string? proxyError, bool keepAlive = false)
    {
        var writer = new HeadCursor(output);
        writer.Write("HTTP/1.1 "u8);
        writer.Number(status);
        writer.Write(" "u8);
        writer.Latin1(ReasonPhrase(status));
        writer.Write("\r\ncontent-length: 0\r\n"u8);
        if (proxyError is not null)
        {
            Field(ref writer, "x-waylay-proxy-error"u8, proxyError);
        }

        if (!keepAlive)
        {
            writer.Write("connection: close\r\n"u8);
        }

        writer.Write("\r\n"u8);
        writer.Commit();
    }

    private static void WriteAdded(ref HeadCursor writer, HeaderEdits edits)
    {
        foreach (var (name, value) in edits.Added)
        {
            Field(ref writer, name, value);
        }
    }

    private static void WriteExtra(ref HeadCursor writer, ReadOnlySpan<KeyValuePair<string, string>> extra)
    {
        foreach (var (name, value) in extra)
        {
            Field(ref writer, name, value);
        }
    }

    /// <summary>Strings as Latin-1; ids formatted in place, the same text <see cref="ProxyFields.Value"/> would make.</summary>
    private static void WriteProxyFields(ref HeadCursor writer, in ProxyFields fields)
    {
        for (var i = 0; i < fields.Count; i++)
        {
            writer.Latin1(fields.Name(i));
            writer.Write(": "u8);
            if (fields.Text(i) is { } text)
            {
                writer.Latin1(text);
            }
            else
            {
                writer.Advance(fields.FormatValue(i, writer.Room(ProxyFields.MaxFormattedLength)));
            }

            writer.Write("\r\n"u8);
        }
    }

    /// <summary>The framing the proxy chose, then Connection/Upgrade, then the head's end.</summary>
    private static void WriteFraming(ref HeadCursor writer, Http1Head head, bool keepAlive, string? upgrade)
    {
        switch (head.Framing)
        {
            case BodyFraming.Chunked:
                writer.Write("transfer-encoding: chunked\r\n"u8);
                break;
            case BodyFraming.ContentLength:
                writer.Write("content-length: "u8);
                writer.Number(head.ContentLength);
                writer.Write("\r\n"u8);
                break;
        }

        if (upgrade is not null)
        {
            writer.Write("connection: upgrade\r\n"u8);
            Field(ref writer, "upgrade"u8, upgrade);
        }
        else if (!keepAlive)
        {
            writer.Write("connection: close\r\n"u8);
        }

        writer.Write("\r\n"u8);
    }

    private static bool IsMasked(ReadOnlySpan<byte> name, HeaderEdits edits)
    {
        foreach (var masked in edits.Masked)
        {
            if (System.Text.Ascii.EqualsIgnoreCase(name, masked))
            {
                return true;
            }
        }

        return false;
    }

    private static void Field(ref HeadCursor writer, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        writer.Write(name);
        writer.Write(": "u8);
        writer.Write(value);
        writer.Write("\r\n"u8);
    }

    private static void Field(ref HeadCursor writer, ReadOnlySpan<byte> name, string value)
    {
        writer.Write(name);
        writer.Write(": "u8);
        writer.Latin1(value);
        writer.Write("\r\n"u8);
    }

    private static void Field(ref HeadCursor writer, string name, string value)
    {
        writer.Latin1(name);
        writer.Write(": "u8);
        writer.Latin1(value);
        writer.Write("\r\n"u8);
    }

    private static string ReasonPhrase(int status) => status switch
    {
        400 => "Bad Request",
        404 => "Not Found",
        431 => "Request Header Fields Too Large",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        _ => "",
    };
}
