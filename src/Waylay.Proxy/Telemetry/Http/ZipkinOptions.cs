namespace Waylay.Proxy.Telemetry.Http;

/// <summary>Where and how spans are sent; the flush and timeout values are Envoy's Zipkin reporter defaults.</summary>
internal sealed record ZipkinOptions
{
    /// <summary>The collector, from the seed's <c>--zipkinAddress host:port</c>.</summary>
    public required Uri Collector { get; init; }

    /// <summary>Spans waiting to be sent; when full, new spans are dropped and counted, never waited for.</summary>
    public int QueueCapacity { get; init; } = 2048;

    /// <summary>A batch this large is sent at once (Envoy's <c>tracing.zipkin.min_flush_spans</c>, 5).</summary>
    public int BatchSize { get; init; } = 5;

    /// <summary>Pending spans are sent at least this often (Envoy's <c>tracing.zipkin.flush_interval_ms</c>, 5 s).</summary>
    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>One POST's limit (Envoy's <c>tracing.zipkin.request_timeout</c>, 5 s).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long shutdown waits for the last spans to be sent.</summary>
    public TimeSpan ShutdownDeadline { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Parses <c>host:port</c> (or <c>[v6]:port</c>) into the collector's <c>http://host:port/api/v2/spans</c>; the error
    /// names the flag and the fix.
    /// </summary>
    public static bool TryParseAddress(string value, out Uri? collector, out string? error)
    {
        collector = null;
        error = null;
        var colon = value.LastIndexOf(':');
        var host = colon > 0 ? value[..colon] : "";
        if (colon <= 0 || !ushort.TryParse(value.AsSpan(colon + 1), out var port) || port == 0
            || host.Length == 0 || host.Contains('/') || (host.Contains(':') && !(host.StartsWith('[') && host.EndsWith(']')))
            || Uri.CheckHostName(host.Trim('[', ']')) == UriHostNameType.Unknown
            || !Uri.TryCreate($"http://{host}:{port}/api/v2/spans", UriKind.Absolute, out collector))
        {
            collector = null;
            error = $"--zipkinAddress '{value}' is not host:port: write it like zipkin.istio-system:9411";
            return false;
        }

        return true;
    }
}
