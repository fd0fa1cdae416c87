using Waylay.Mesh.Networking;
using Waylay.Proxy.Http.Routing;
using Waylay.Proxy.LoadBalancing;
using Waylay.Proxy.Routing;
using Waylay.Proxy.Telemetry.Http;

namespace Waylay.Proxy.Http.Upstream;

/// <summary>
/// PLACEHOLDER (wt-h2) for main's selector, same shape: the route's destination host and port → that service's
/// healthy endpoints in the route's subset → one of them by the service's balancer. No outlier detection here.
/// </summary>
internal sealed class UpstreamSelector
{
    public UpstreamChoice Choose(RouteTable table, in RouteSelection selection, Random random, EndpointStats? exclude = null)
    {
        var target = selection.Target!;
        var port = selection.DestinationPort;
        foreach (var route in table.Routes)
        {
            if (route.Port.Port != port || HostName.ForService(route.Service.Name, route.Service.Namespace) != target.Destination.Host)
            {
                continue;
            }

            var candidates = new List<EndpointStats>(route.Healthy.Length);
            foreach (var endpoint in route.Healthy)
            {
                if (endpoint == exclude || (target.Subset is { } subset && !subset.Selects(LabelsOf(route, endpoint))))
                {
                    continue;
                }

                candidates.Add(endpoint);
            }

            return candidates.Count == 0
                ? new UpstreamChoice(null, 503, ResponseFlags.NoHealthyUpstream)
                : new UpstreamChoice(route.Balancer.Pick([.. candidates]), 0, ResponseFlags.None);
        }

        return new UpstreamChoice(null, 503, ResponseFlags.NoClusterFound);
    }

    public void Report(in UpstreamChoice choice, int status)
    {
    }

    public void ReportFailure(in UpstreamChoice choice)
    {
    }

    private static IReadOnlyDictionary<string, string> LabelsOf(ServiceRoute route, EndpointStats endpoint)
    {
        foreach (var candidate in route.Service.Endpoints)
        {
            if (candidate.Address.Equals(endpoint.Address.Address) && candidate.PortFor(route.Port) == endpoint.Address.Port)
            {
                return candidate.Labels;
            }
        }

        return new Dictionary<string, string>();
    }
}
