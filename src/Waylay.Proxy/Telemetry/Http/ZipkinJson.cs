using System.Buffers;
using System.Globalization;
using System.Net.Sockets;
using System.Text.Encodings.Web;
using System.Text.Json;
using Waylay.Proxy.Http.Headers;
using Waylay.Proxy.Connections;

namespace Waylay.Proxy.Telemetry.Http;

/// <summary>
/// Zipkin v2 JSON (<c>POST /api/v2/spans</c>, zipkin2-api.yaml): a list of spans, ids as lower-case hex, timestamp
/// and duration in microseconds as integers, tags as strings in key order (as Envoy's serializer, a protobuf Struct,
/// orders them).
/// </summary>
internal static class ZipkinJson
{
    // Collectors read JSON, not HTML: keep '&', '<', '+' and non-ASCII as they are.
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static byte[] Serialize(IReadOnlyList<ZipkinSpan> spans)
    {
        var buffer = new ArrayBufferWriter<byte>(512 * spans.Count);
        using (var json = new Utf8JsonWriter(buffer, Options))
        {
            json.WriteStartArray();
            foreach (var span in spans)
            {
                Write(json, span);
            }

            json.WriteEndArray();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void Write(Utf8JsonWriter json, ZipkinSpan span)
    {
        var c = span.Context;
        json.WriteStartObject();
        json.WriteString("traceId", c.TraceIdHex());
        if (c.HasParent)
        {
            json.WriteString("parentId", Hex.Of(c.ParentId));
        }

        json.WriteString("id", Hex.Of(c.SpanId));
        json.WriteString("kind", span.Kind == SpanKind.Client ? "CLIENT" : "SERVER");
        json.WriteString("name", span.Name);
        json.WriteNumber("timestamp", (span.Start.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10);
        json.WriteNumber("duration", Math.Max(1, span.Duration.Ticks / 10));
        if (c.Debug)
        {
            json.WriteBoolean("debug", true);
        }

        if (span.Shared)
        {
            json.WriteBoolean("shared", true);
        }

        Endpoint(json, "localEndpoint", span.LocalEndpoint);
        if (span.RemoteEndpoint is { } remote)
        {
            Endpoint(json, "remoteEndpoint", remote);
        }

        // :: tags, alphabetical
        json.WriteStartObject("tags");
        json.WriteString("component", "proxy");
        if (span.IsError)
        {
            json.WriteString("error", "true");
        }

        Tag(json, "guid:x-request-id", span.RequestId);
        Tag(json, "http.method", span.Method);
        Tag(json, "http.protocol", span.Protocol);
        json.WriteString("http.status_code", span.StatusCode.ToString(CultureInfo.InvariantCulture));
        Tag(json, "http.url", span.Url);
        Tag(json, "peer.address", span.PeerAddress);
        json.WriteString("request_size", span.RequestSize.ToString(CultureInfo.InvariantCulture));
        json.WriteString("response_flags", span.Flags.ToEnvoyString());
        json.WriteString("response_size", span.ResponseSize.ToString(CultureInfo.InvariantCulture));
        Tag(json, "upstream_cluster", span.UpstreamCluster);
        Tag(json, "user_agent", span.UserAgent);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void Endpoint(Utf8JsonWriter json, string property, ZipkinEndpoint endpoint)
    {
        json.WriteStartObject(property);
        if (!string.IsNullOrEmpty(endpoint.ServiceName))
        {
            json.WriteString("serviceName", endpoint.ServiceName);
        }

        if (endpoint.Address is { } address)
        {
            if (address.IsIPv4MappedToIPv6)
            {
                address = address.MapToIPv4();
            }

            json.WriteString(address.AddressFamily == AddressFamily.InterNetwork ? "ipv4" : "ipv6", address.ToString());
        }

        if (endpoint.Port > 0)
        {
            json.WriteNumber("port", endpoint.Port);
        }

        json.WriteEndObject();
    }

    /// <summary>Envoy skips empty tags (<c>Span::setTag</c>).</summary>
    private static void Tag(Utf8JsonWriter json, string key, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            json.WriteString(key, value);
        }
    }
}
