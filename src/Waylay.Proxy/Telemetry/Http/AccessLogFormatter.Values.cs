using Waylay.Proxy.Http.Http1;

namespace Waylay.Proxy.Telemetry.Http;

/// <summary>Where each value of a line comes from (the head's bytes or the entry's strings), and how it is escaped.</summary>
internal static partial class AccessLogFormatter
{
    private enum Field
    {
        Method, Path, Protocol, ForwardedFor, UserAgent, RequestId, Authority, UpstreamHost, UpstreamCluster,
        UpstreamLocalAddress, DownstreamLocalAddress, DownstreamRemoteAddress, RequestedServerName, RouteName,
    }

    // The text line's tail: quoted request values, then Istio's bare additions.
    private static readonly Field[] Quoted = [Field.ForwardedFor, Field.UserAgent, Field.RequestId, Field.Authority, Field.UpstreamHost];
    private static readonly Field[] Bare = [Field.UpstreamCluster, Field.UpstreamLocalAddress, Field.DownstreamLocalAddress,
        Field.DownstreamRemoteAddress, Field.RequestedServerName, Field.RouteName];

    /// <summary>Writes one value: from the head's bytes when it has them, else the string; "-"/null when empty.</summary>
    private static void Value(ref LineBuilder line, in AccessLogEntry e, Field field, bool json)
    {
        var head = e.Request;
        if (head is not null && field is Field.UserAgent or Field.RequestId or Field.Authority or Field.ForwardedFor or Field.Path)
        {
            if (FromHead(ref line, e, head, field, json))
            {
                return;
            }
        }

        var text = field switch
        {
            Field.Method => e.Method ?? head?.Method,
            Field.Path => e.Path,
            Field.Protocol => e.Protocol ?? (head is null ? null : head.Version == Http1Version.Http11 ? "HTTP/1.1" : "HTTP/1.0"),
            Field.ForwardedFor => e.ForwardedFor is { } xff && e.AppendedForwardedFor is { } mine ? string.Concat(xff, ",", mine) : e.ForwardedFor ?? e.AppendedForwardedFor,
            Field.UserAgent => e.UserAgent,
            Field.RequestId => e.RequestId ?? e.GeneratedRequestId,
            Field.Authority => e.Authority,
            Field.UpstreamHost => e.UpstreamHost,
            Field.UpstreamCluster => e.UpstreamCluster,
            Field.UpstreamLocalAddress => e.UpstreamLocalAddress,
            Field.DownstreamLocalAddress => e.DownstreamLocalAddress,
            Field.DownstreamRemoteAddress => e.DownstreamRemoteAddress,
            Field.RequestedServerName => e.RequestedServerName,
            _ => e.RouteName,
        };
        if (string.IsNullOrEmpty(text))
        {
            line.Append(json ? "null" : "-");
            return;
        }

        Open(ref line, json);
        Escaped(ref line, text, json);
        Close(ref line, json);
    }

    /// <summary>Header values straight from the head; false when the head does not have the field (then the string form applies).</summary>
    private static bool FromHead(ref LineBuilder line, in AccessLogEntry e, Http1RequestHead head, Field field, bool json)
    {
        switch (field)
        {
            case Field.Authority:
                if (head.Authority.IsEmpty)
                {
                    return false;
                }

                Open(ref line, json);
                EscapedLatin1(ref line, head.Authority, json);
                Close(ref line, json);
                return true;
            case Field.Path:
                var original = Find(head, "x-envoy-original-path"u8, 0);
                if (original < 0)
                {
                    Open(ref line, json);
                    Escaped(ref line, e.Path ?? head.PathAndQuery, json);
                    Close(ref line, json);
                    return true;
                }

                Open(ref line, json);
                EscapedLatin1(ref line, head.FieldValue(original), json);
                Close(ref line, json);
                return true;
            case Field.ForwardedFor:
                // Every received line, joined with "," (one list, RFC 9110 §5.3), then the proxy's own element.
                var at = Find(head, "x-forwarded-for"u8, 0);
                if (at < 0)
                {
                    return false;
                }

                Open(ref line, json);
                for (var first = true; at >= 0; at = Find(head, "x-forwarded-for"u8, at + 1), first = false)
                {
                    if (!first)
                    {
                        line.Append(',');
                    }

                    EscapedLatin1(ref line, head.FieldValue(at), json);
                }

                if (e.AppendedForwardedFor is { } mine)
                {
                    line.Append(',');
                    Escaped(ref line, mine, json);
                }

                Close(ref line, json);
                return true;
            default:
                var index = Find(head, field == Field.UserAgent ? "user-agent"u8 : "x-request-id"u8, 0);
                if (index < 0 || head.FieldValue(index).IsEmpty)
                {
                    return false;
                }

                Open(ref line, json);
                EscapedLatin1(ref line, head.FieldValue(index), json);
                Close(ref line, json);
                return true;
        }
    }

    private static int Find(Http1RequestHead head, ReadOnlySpan<byte> name, int from)
    {
        for (var i = from; i < head.FieldCount; i++)
        {
            if (System.Text.Ascii.EqualsIgnoreCase(head.FieldName(i), name))
            {
                return i;
            }
        }

        return -1;
    }

    private static void Open(ref LineBuilder line, bool json)
    {
        if (json)
        {
            line.Append('"');
        }
    }

    private static void Close(ref LineBuilder line, bool json) => Open(ref line, json);

    private static void Escaped(ref LineBuilder line, ReadOnlySpan<char> text, bool json)
    {
        if (!json)
        {
            line.Append(text);
            return;
        }

        foreach (var c in text)
        {
            JsonChar(ref line, c);
        }
    }

    private static void EscapedLatin1(ref LineBuilder line, ReadOnlySpan<byte> bytes, bool json)
    {
        if (!json)
        {
            line.AppendLatin1(bytes);
            return;
        }

        foreach (var b in bytes)
        {
            JsonChar(ref line, (char)b);
        }
    }

    /// <summary>RFC 8259 §7: quote, backslash and control characters escaped; the rest as is.</summary>
    private static void JsonChar(ref LineBuilder line, char c)
    {
        switch (c)
        {
            case '"':
                line.Append("\\\"");
                break;
            case '\\':
                line.Append("\\\\");
                break;
            case < ' ' or '\u007f':
                line.Append("\\u00");
                line.Append("0123456789abcdef"[c >> 4]);
                line.Append("0123456789abcdef"[c & 0xf]);
                break;
            default:
                line.Append(c);
                break;
        }
    }
}
