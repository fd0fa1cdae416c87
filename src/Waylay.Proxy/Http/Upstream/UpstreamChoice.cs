using Waylay.Proxy.LoadBalancing;
using Waylay.Proxy.Telemetry.Http;

namespace Waylay.Proxy.Http.Upstream;

/// <summary>PLACEHOLDER (wt-h2) for main's type: the endpoint for one request, or why there is none.</summary>
internal readonly record struct UpstreamChoice(EndpointStats? Endpoint, int FailureStatus, ResponseFlags FailureFlag)
{
    public bool Succeeded => Endpoint is not null;
}
