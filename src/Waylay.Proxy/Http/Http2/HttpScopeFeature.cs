using Waylay.Proxy.Telemetry.Http;
using Waylay.Proxy.Http.Policy;

namespace Waylay.Proxy.Http.Http2;

/// <summary>
/// Carries the core's decision for a captured connection into Kestrel: set on the connection's features, read back
/// from each request's (Kestrel's request features fall back to the connection's). Also holds what the access log and
/// metrics need once per connection rather than per request.
/// </summary>
internal sealed class HttpScopeFeature(HttpScope scope)
{
    private IstioLabels? _defaultLabels;

    public HttpScope Scope { get; } = scope;

    /// <summary>The addresses as the access log prints them, made once per connection.</summary>
    public string? DownstreamRemoteAddress { get; } = scope.Connection.Client.ToString();

    public string? DownstreamLocalAddress { get; } = scope.Connection.OriginalDestination?.ToString();

    /// <summary>Labels when the host gave no label source: made and interned on first use.</summary>
    public IstioLabels DefaultLabels(IstioMetrics? metrics)
    {
        if (_defaultLabels is null)
        {
            var labels = Http2Labels.Default(Scope);
            _defaultLabels = metrics?.Intern(labels) ?? labels;
        }

        return _defaultLabels;
    }
}
