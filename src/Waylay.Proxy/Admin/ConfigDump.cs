using System.Text.Json;
using Waylay.Proxy.Configuration;
using Waylay.Proxy.LoadBalancing;
using Waylay.Proxy.Routing;

namespace Waylay.Proxy.Admin;

/// <summary>
/// <c>/config_dump</c>: the snapshot in force as this proxy holds it, which is what <c>waylay proxy-config</c> prints.
/// <code>
///   version, source, discovery (stream, versions run per type, ACKs/NACKs), rules, counts, options, services
///   configs ─► listeners   the capture ports, then one per service address:port with its protocol and destination
///          ├─► routes      per service port: its VirtualService's http routes (matches, weighted destinations,
///          │               timeout, retries, fault) and tcp routes, or the implicit route to the whole service
///          ├─► clusters    per service port and subset: Envoy's name, the subset's labels, the effective policy
///          └─► endpoints   per cluster: each member with its health, outlier state and labels
/// </code>
/// The earlier top-level fields stay as they were (the diagnostics read them); "configs" is Envoy's four views.
/// </summary>
internal sealed partial class ConfigDump(ProxyOptions options, RouteTableManager config, IReadOnlyList<string> listeners, ClusterRegistry? clusters)
{
    public void Write(Utf8JsonWriter json)
    {
        var table = config.Current;
        json.WriteStartObject();
        json.WriteString("version", table.Version);
        json.WriteString("source", options.DiscoveryAddress is { } control ? $"discovery {control}" : options.ConfigPath ?? "(none: pure transparent proxy)");
        if (config.Source is DiscoveryMeshSource discovery)
        {
            DiscoveryDump.Write(json, discovery.Status);
        }

        json.WriteString("notReady", config.Source.NotReadyReason);
        json.WriteString("rules", options.RulesPath);
        json.WriteNumber("virtualServices", table.Networking.VirtualServices.Count);
        json.WriteNumber("destinationRules", table.Networking.DestinationRules.Count);
        json.WriteNumber("reloads", config.Source.Reloads);
        json.WriteNumber("rejectedReloads", config.Source.RejectedReloads);
        json.WriteStartArray("listeners");
        foreach (var listener in listeners)
        {
            json.WriteStringValue(listener);
        }

        json.WriteEndArray();
        WriteOptions(json);
        WriteServices(json, table);
        json.WriteStartObject("configs");
        WriteListeners(json, table);
        WriteRoutes(json, table);
        WriteClusters(json, table);
        WriteEndpoints(json, table);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private void WriteOptions(Utf8JsonWriter json)
    {
        json.WriteStartObject("options");
        json.WriteNumber("outboundPort", options.OutboundPort);
        json.WriteNumber("inboundPort", options.InboundPort);
        json.WriteNumber("adminPort", options.AdminPort);
        json.WriteNumber("healthPort", options.HealthPort);
        json.WriteString("inboundTo", options.InboundTo == InboundTarget.PodIp ? "pod-ip" : "loopback");
        json.WriteNumber("connectTimeoutSeconds", options.ConnectTimeout.TotalSeconds);
        json.WriteNumber("idleTimeoutSeconds", options.IdleTimeout.TotalSeconds);
        json.WriteNumber("drainDurationSeconds", options.DrainDuration.TotalSeconds);
        json.WriteNumber("parentShutdownDurationSeconds", options.ParentShutdownDuration.TotalSeconds);
        json.WriteBoolean("splice", options.Splice);
        json.WriteBoolean("transparent", options.Transparent);
        json.WriteEndObject();
    }

    private static void WriteServices(Utf8JsonWriter json, RouteTable table)
    {
        json.WriteStartArray("services");
        foreach (var route in table.Routes)
        {
            json.WriteStartObject();
            json.WriteString("service", route.Key);
            AdminJson.WriteAddresses(json, "addresses", route.Service.Addresses);
            json.WriteString("port", route.Port.Name);
            json.WriteNumber("number", route.Port.Port);
            json.WriteNumber("targetPort", route.Port.TargetPort);
            json.WriteString("appProtocol", route.Port.AppProtocol);
            json.WriteString("loadBalancer", route.Service.LoadBalancer.ToString());
            json.WriteNumber("endpoints", route.Endpoints.Length);
            json.WriteNumber("healthyEndpoints", route.Healthy.Length);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }
}
