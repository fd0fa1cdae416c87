using System.Text.Json;
using Waylay.Proxy.Routing;

namespace Waylay.Proxy.Admin;

internal sealed partial class ConfigDump
{
    /// <summary>
    /// The ports the proxy listens on, then what a connection to each service address:port becomes, as
    /// <c>istioctl proxy-config listeners</c> shows Envoy's (one real listener per capture port here: the service
    /// "listeners" are the table the outbound listener looks the original destination up in).
    /// </summary>
    private void WriteListeners(Utf8JsonWriter json, RouteTable table)
    {
        json.WriteStartArray("listeners");
        foreach (var listener in listeners)
        {
            json.WriteStartObject();
            json.WriteString("name", listener);
            json.WriteString("kind", "capture");
            json.WriteString("match", "ALL");
            json.WriteString("destination", Capture(listener));
            json.WriteEndObject();
        }

        foreach (var route in table.Routes)
        {
            json.WriteStartObject();
            json.WriteString("name", $"{route.Host}_{route.Port.Port}");
            json.WriteString("kind", "service");
            json.WriteString("service", route.Host);
            AdminJson.WriteAddresses(json, "addresses", route.Service.Addresses);
            json.WriteNumber("port", route.Port.Port);
            json.WriteString("match", route.Protocol switch
            {
                DeclaredProtocol.Http => "HTTP",
                DeclaredProtocol.Http2 => "HTTP2",
                DeclaredProtocol.Opaque => "TCP",
                _ => "sniffed: HTTP or TCP",
            });
            json.WriteString("destination", route.Protocol == DeclaredProtocol.Opaque
                ? $"Cluster: {TcpCluster(route)}"
                : $"Route: {route.Host}:{route.Port.Port}");
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private string Capture(string listener)
    {
        if (listener.StartsWith("gateway", StringComparison.Ordinal))
        {
            return "Route: the VirtualServices bound to the Gateways on this port";
        }

        var port = listener[(listener.LastIndexOf(':') + 1)..];
        return port == options.OutboundPort.ToString(System.Globalization.CultureInfo.InvariantCulture)
            ? "outbound: the service at the original destination, else PassthroughCluster"
            : "inbound: the app at the original destination (InboundPassthroughCluster)";
    }

    /// <summary>Where opaque connections go: the VirtualService's tcp route for the port, else the whole service.</summary>
    private static string TcpCluster(ServiceRoute route)
    {
        foreach (var (ports, targets) in route.HostRoutes.TcpRoutes)
        {
            if (ports.Length == 0 || Array.IndexOf(ports, route.Port.Port) >= 0)
            {
                return string.Join(", ", targets.Select(t => targets.Length == 1 ? t.ClusterName(t.PortFor(route.Port.Port)) : $"{t.ClusterName(t.PortFor(route.Port.Port))} {t.Weight}%"));
            }
        }

        return route.Self.ClusterName(route.Port.Port);
    }
}
