namespace Waylay.Proxy.Telemetry.Http;

/// <summary>
/// The one call the forwarder makes when a request ends, so the three views always agree:
/// <code>
///   RequestCompleted ─► IstioMetrics.RecordRequest   (always; no allocation with interned labels)
///                    ├► AccessLog.Write              (when --access-log is on; formatted now, written later)
///                    └► ZipkinExporter.Report        (when --zipkinAddress is set and the trace is sampled)
/// </code>
/// </summary>
internal sealed class HttpTelemetry(IstioMetrics metrics, AccessLog? accessLog, ZipkinExporter? zipkin, ZipkinEndpoint localEndpoint)
{
    public IstioMetrics Metrics { get; } = metrics;

    public void RequestCompleted(in CompletedRequest request)
    {
        var log = request.Log;
        Metrics.RecordRequest(request.Labels, log.ResponseCode, log.Flags, request.Duration.TotalMilliseconds,
            log.BytesReceived, log.BytesSent, request.GrpcStatus);
        accessLog?.Write(log);
        if (zipkin is not null && request.Trace is { Sampled: true } trace)
        {
            zipkin.Report(Span(request, trace));
        }
    }

    /// <summary>Only sampled requests get here, so the strings below are paid for by the traced few.</summary>
    private ZipkinSpan Span(in CompletedRequest request, Waylay.Proxy.Http.Headers.TraceContext trace)
    {
        var log = request.Log;
        var head = log.Request;
        var authority = head is null ? log.Authority : System.Text.Encoding.Latin1.GetString(head.Authority);
        var path = log.Path ?? head?.PathAndQuery;
        return new ZipkinSpan
        {
            Context = trace,
            Kind = request.Kind,
            Shared = request.SharedSpan,
            Name = request.SpanName ?? $"{authority}{path}",
            Start = log.StartTime,
            Duration = request.Duration,
            LocalEndpoint = localEndpoint,
            RemoteEndpoint = request.RemoteEndpoint,
            Method = log.Method ?? head?.Method,
            Url = authority is null ? path : $"http://{authority}{path}",
            Protocol = log.Protocol ?? (head is null ? null : head.Version == Waylay.Proxy.Http.Http1.Http1Version.Http11 ? "HTTP/1.1" : "HTTP/1.0"),
            StatusCode = log.ResponseCode,
            UpstreamCluster = log.UpstreamCluster,
            Flags = log.Flags,
            RequestId = head?.GetField("x-request-id") ?? log.RequestId ?? log.GeneratedRequestId,
            UserAgent = head?.GetField("user-agent") ?? log.UserAgent,
            PeerAddress = HostOf(log.DownstreamRemoteAddress),
            RequestSize = log.BytesReceived,
            ResponseSize = log.BytesSent,
        };
    }

    /// <summary>Envoy's <c>peer.address</c> is the IP alone: "10.0.0.1:5000" → "10.0.0.1", "[fd00::1]:5000" → "fd00::1".</summary>
    public static string? HostOf(string? address)
    {
        if (address is null || !System.Net.IPEndPoint.TryParse(address, out var endpoint))
        {
            return address;
        }

        return endpoint.Address.ToString();
    }
}
