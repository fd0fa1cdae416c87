using System.Text.Json;
using Waylay.Mesh;
using Waylay.Mesh.Networking;
using Waylay.Proxy.LoadBalancing;
using Waylay.Proxy.Routing;

namespace Waylay.Proxy.Admin;

internal sealed partial class ConfigDump
{
    /// <summary>
    /// Every outbound cluster a route can name: per service port the whole service and each subset of its
    /// DestinationRule, with the policy a connection to it gets (the rule's, the subset's and the port's merged as
    /// Istio merges them, defaults filled in).
    /// </summary>
    private static void WriteClusters(Utf8JsonWriter json, RouteTable table)
    {
        json.WriteStartArray("clusters");
        foreach (var (route, target) in Clusters(table))
        {
            var port = route.Port.Port;
            var policy = target.PolicyFor(port);
            json.WriteStartObject();
            json.WriteString("name", target.ClusterName(port));
            json.WriteString("service", route.Host);
            json.WriteNumber("port", port);
            json.WriteString("subset", target.Destination.Subset);
            json.WriteString("direction", "outbound");
            json.WriteString("destinationRule", target.Rule?.Key);
            AdminJson.WriteLabels(json, "subsetLabels", target.Subset?.Labels);
            json.WriteString("loadBalancer", LoadBalancers.NameOf(policy.LoadBalancer, route.Service.LoadBalancer));
            WritePool(json, policy.ConnectionPool);
            WriteOutlier(json, policy.OutlierDetection);
            json.WriteNumber("endpoints", route.Endpoints.Count(e => Selects(target, e)));
            json.WriteNumber("healthyEndpoints", route.Healthy.Count(e => Selects(target, e)));
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    /// <summary>Each cluster's members (an endpoint in several subsets is listed under each), as Envoy's EDS view.</summary>
    private void WriteEndpoints(Utf8JsonWriter json, RouteTable table)
    {
        json.WriteStartArray("endpoints");
        foreach (var (route, target) in Clusters(table))
        {
            var name = target.ClusterName(route.Port.Port);
            var detector = clusters is not null && clusters.TryGet(name, out var cluster) ? cluster.Detector : null;
            foreach (var endpoint in route.Endpoints)
            {
                if (!Selects(target, endpoint))
                {
                    continue;
                }

                json.WriteStartObject();
                json.WriteString("address", endpoint.Address.ToString());
                json.WriteString("cluster", name);
                json.WriteString("health", endpoint.Health switch
                {
                    EndpointHealth.Healthy => "HEALTHY",
                    EndpointHealth.Draining => "DRAINING",
                    _ => "UNHEALTHY",
                });
                json.WriteString("outlierCheck", detector is null ? "OK" : detector.IsEjected(endpoint.Address) ? "FAILED" : "OK");
                json.WriteNumber("activeConnections", endpoint.Active);
                json.WriteNumber("totalRequests", endpoint.Requests);
                AdminJson.WriteLabels(json, "labels", endpoint.Labels);
                json.WriteEndObject();
            }
        }

        json.WriteEndArray();
    }

    /// <summary>The service itself, then one target per subset: built like a route's, so names and policies match the ones in use.</summary>
    private static IEnumerable<(ServiceRoute Route, RouteTarget Target)> Clusters(RouteTable table)
    {
        foreach (var route in table.Routes)
        {
            yield return (route, route.Self);
            foreach (var subset in route.Self.Rule?.Subsets ?? [])
            {
                yield return (route, new RouteTarget(new Destination(route.Host, subset.Name, null), 100, route.Self.Rule, HeaderEdits.None, HeaderEdits.None));
            }
        }
    }

    private static bool Selects(RouteTarget target, EndpointStats endpoint) => target.Subset is null || target.Subset.Selects(endpoint.Labels);

    private static void WritePool(Utf8JsonWriter json, ConnectionPoolSettings pool)
    {
        json.WriteStartObject("connectionPool");
        WriteLimit(json, "maxConnections", pool.MaxConnections);
        WriteLimit(json, "http1MaxPendingRequests", pool.Http1MaxPendingRequests);
        WriteLimit(json, "http2MaxRequests", pool.Http2MaxRequests);
        WriteLimit(json, "maxRequestsPerConnection", pool.MaxRequestsPerConnection);
        json.WriteString("idleTimeout", pool.IdleTimeout is { } idle ? GoDuration.Format(idle) : null);
        json.WriteEndObject();
    }

    /// <summary>Null (unlimited) written as null: Envoy's default under Istio, not a number the user must decode.</summary>
    private static void WriteLimit(Utf8JsonWriter json, string name, int? value)
    {
        if (value is { } limit)
        {
            json.WriteNumber(name, limit);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static void WriteOutlier(Utf8JsonWriter json, OutlierDetectionPolicy? outlier)
    {
        if (outlier is null)
        {
            json.WriteNull("outlierDetection");
            return;
        }

        json.WriteStartObject("outlierDetection");
        json.WriteNumber("consecutive5xxErrors", outlier.Consecutive5xxErrors);
        json.WriteNumber("consecutiveGatewayErrors", outlier.ConsecutiveGatewayErrors);
        json.WriteString("interval", GoDuration.Format(outlier.Interval));
        json.WriteString("baseEjectionTime", GoDuration.Format(outlier.BaseEjectionTime));
        json.WriteNumber("maxEjectionPercent", outlier.MaxEjectionPercent);
        json.WriteEndObject();
    }
}
