namespace Waylay.Proxy.Http.Headers;

/// <summary>How the proxy stamps identity and trace context on requests; Istio's defaults.</summary>
internal sealed record RequestDecoratorOptions
{
    /// <summary>Percent of new traces sampled when the caller did not decide (Istio's <c>tracing.sampling</c>, default 1).</summary>
    public double SamplingPercentage { get; init; } = 1.0;

    /// <summary>New traces get 128-bit ids (Istio configures Envoy's Zipkin tracer with <c>trace_id_128bit: true</c>).</summary>
    public bool TraceId128Bit { get; init; } = true;

    /// <summary>Envoy's <c>shared_span_context</c> (default true): the inbound side reuses the client's span id.</summary>
    public bool SharedSpanContext { get; init; } = true;

    /// <summary>Append the downstream address to <c>x-forwarded-for</c> (issue 4 asks for it; Istio sidecars do not).</summary>
    public bool AppendForwardedFor { get; init; } = true;
}
