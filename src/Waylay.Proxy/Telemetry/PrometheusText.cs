using System.Globalization;
using System.Text;
using Waylay.Proxy.LoadBalancing;
using Waylay.Proxy.Connections;

namespace Waylay.Proxy.Telemetry;

/// <summary>Renders <see cref="ProxyMetrics"/> in the Prometheus text exposition format 0.0.4.</summary>
internal static class PrometheusText
{
    public static string Render(ProxyMetrics metrics, EndpointStatsRegistry endpoints, bool ready)
    {
        var text = new StringBuilder(4096);
        Family(text, "waylay_downstream_cx_total", "counter", "Connections accepted from downstream, by capture listener.");
        Sample(text, "waylay_downstream_cx_total", "listener", "outbound", metrics.DownstreamTotal(ListenerKind.Outbound));
        Sample(text, "waylay_downstream_cx_total", "listener", "inbound", metrics.DownstreamTotal(ListenerKind.Inbound));
        Family(text, "waylay_downstream_cx_active", "gauge", "Downstream connections open now.");
        Sample(text, "waylay_downstream_cx_active", "listener", "outbound", metrics.DownstreamActiveOf(ListenerKind.Outbound));
        Sample(text, "waylay_downstream_cx_active", "listener", "inbound", metrics.DownstreamActiveOf(ListenerKind.Inbound));

        // Counted per connection served, as the TCP relay makes one upstream connection for each; an HTTP connection's
        // requests share pooled upstream connections instead (an outbound service's are counted per endpoint). The help
        // text says so: Envoy's upstream_cx_* count the pool's own connections (docs/designs/proxy.md, "Admin API").
        PerService(text, metrics, "waylay_upstream_cx_total", "counter",
            "Connections served for a service (passthrough and inbound included): for TCP each is one upstream connection; for HTTP, downstream connections whose requests went to it (an outbound service's pooled upstream connections: waylay_endpoint_cx_active).",
            static c => c.Total);
        PerService(text, metrics, "waylay_upstream_cx_active", "gauge",
            "Connections being served for a service now, counted as waylay_upstream_cx_total is.", static c => c.Active);
        PerService(text, metrics, "waylay_upstream_cx_connect_fail_total", "counter", "Upstream connects refused or unreachable.", static c => c.ConnectFailures);
        PerService(text, metrics, "waylay_upstream_cx_connect_timeout_total", "counter", "Upstream connects that hit --connect-timeout.", static c => c.ConnectTimeouts);
        PerService(text, metrics, "waylay_upstream_cx_none_healthy_total", "counter", "Connections to a service with no healthy endpoint.", static c => c.NoHealthyEndpoint);
        PerService(text, metrics, "waylay_tcp_sent_bytes_total", "counter", "Bytes from downstream to upstream, counted when the connection closes.", static c => c.BytesSent);
        PerService(text, metrics, "waylay_tcp_received_bytes_total", "counter", "Bytes from upstream to downstream, counted when the connection closes.", static c => c.BytesReceived);

        Family(text, "waylay_endpoint_cx_active", "gauge", "Connections open now to each endpoint.");
        foreach (var endpoint in endpoints.All)
        {
            text.Append(CultureInfo.InvariantCulture, $"waylay_endpoint_cx_active{{service=\"{endpoint.ServiceKey}\",endpoint=\"{endpoint.Address}\"}} {endpoint.Active}\n");
        }

        Family(text, "waylay_loop_refused_total", "counter", "Connections refused by the loop guard.");
        text.Append(CultureInfo.InvariantCulture, $"waylay_loop_refused_total {metrics.LoopRefused}\n");
        Family(text, "waylay_idle_timeout_total", "counter", "Connections closed by the idle timeout.");
        text.Append(CultureInfo.InvariantCulture, $"waylay_idle_timeout_total {metrics.IdleTimeouts}\n");
        Family(text, "waylay_server_ready", "gauge", "1 while the proxy accepts connections, 0 while it drains.");
        text.Append(CultureInfo.InvariantCulture, $"waylay_server_ready {(ready ? 1 : 0)}\n");
        return text.ToString();
    }

    private static void PerService(StringBuilder text, ProxyMetrics metrics, string name, string type, string help, Func<ServiceCounters, long> read)
    {
        Family(text, name, type, help);
        foreach (var counters in metrics.Services)
        {
            Sample(text, name, "service", counters.Service, read(counters));
        }
    }

    private static void Family(StringBuilder text, string name, string type, string help) =>
        text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} {type}\n");

    private static void Sample(StringBuilder text, string name, string label, string value, long sample) =>
        text.Append(CultureInfo.InvariantCulture, $"{name}{{{label}=\"{value}\"}} {sample}\n");
}
