using Waylay.Proxy.Telemetry.Http;

namespace Waylay.Proxy.Http.Http2;

/// <summary>
/// Carries the core's decision for a captured connection into Kestrel: set on the connection's features, read back
/// from each request's (Kestrel's request features fall back to the connection's). Also keeps the connection's
/// interned Istio labels, so requests add only their response code.
/// </summary>
internal sealed class HttpScopeFeature(HttpScope scope)
{
    private IstioLabels? _http;
    private IstioLabels? _grpc;

    public HttpScope Scope { get; } = scope;

    /// <summary>The addresses as the access log prints them, made once per connection.</summary>
    public string? DownstreamRemoteAddress { get; } = scope.Connection.Client.ToString();

    public string? DownstreamLocalAddress { get; } = scope.Connection.OriginalDestination?.ToString();

    public IstioLabels Labels(Http2GatewayServices services, bool grpc)
    {
        ref var slot = ref grpc ? ref _grpc : ref _http;
        if (slot is null)
        {
            var protocol = grpc ? "grpc" : "http";
            var labels = services.Labels?.Invoke(Scope, protocol) ?? Http2Labels.Default(Scope, protocol);
            slot = services.Telemetry?.Metrics.Intern(labels) ?? labels;
        }

        return slot;
    }
}
