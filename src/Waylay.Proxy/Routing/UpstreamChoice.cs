using Waylay.Proxy.LoadBalancing;
using Waylay.Proxy.Connections;

namespace Waylay.Proxy.Routing;

/// <summary>Where one request (or one try of it) goes, or the answer the proxy gives instead.</summary>
/// <param name="Status">0 when routed; else the status to answer with (404 NR, 503 NC/UH).</param>
internal readonly record struct UpstreamChoice(
    int Status,
    ResponseFlags Flag,
    ServiceRoute? Service = null,
    EndpointStats? Endpoint = null,
    Cluster? Cluster = null,
    string? ClusterName = null)
{
    public bool IsRouted => Status == 0;

    public static UpstreamChoice Fail(int status, ResponseFlags flag) => new(status, flag);
}
