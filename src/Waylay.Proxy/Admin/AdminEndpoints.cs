using System.Diagnostics;
using System.Text.Json;
using Waylay.Proxy.Configuration;
using Waylay.Proxy.LoadBalancing;
using Waylay.Proxy.Routing;
using Waylay.Proxy.Telemetry;
using Waylay.Proxy.Lifecycle;

namespace Waylay.Proxy.Admin;

/// <summary>
/// The admin API on 127.0.0.1:15000 (Envoy's names, so the seed's tooling and habits carry over):
/// <c>/ready</c>, <c>/stats/prometheus</c>, <c>/connections</c>, <c>/config_dump</c>, <c>/clusters</c>,
/// <c>POST /drain</c>, <c>POST /quitquitquit</c>; and <c>/healthz/ready</c> for the health port.
/// </summary>
internal sealed class AdminEndpoints(
    ProxyOptions options,
    ProxyLifecycle lifecycle,
    ProxyMetrics metrics,
    ConnectionRegistry connections,
    EndpointStatsRegistry endpoints,
    RouteTableManager config,
    IReadOnlyList<string> listeners,
    TimeProvider time,
    Http.Forwarding.HttpServices? http = null)
{
    private readonly ConfigDump _dump = new(options, config, listeners, http?.Selector.Clusters);

    public AdminResponse Handle(string method, string path)
    {
        switch (path)
        {
            case "/ready":
            case "/healthz/ready":
                return Ready();
            case "/stats/prometheus":
                return Metrics();
            case "/connections":
                return AdminResponse.Json(Connections());
            case "/config_dump":
                return AdminResponse.Json(Write(_dump.Write));
            case "/clusters":
                return AdminResponse.Json(Clusters());
            case "/drain":
            case "/drain_listeners":
                if (method != "POST")
                {
                    return AdminResponse.Text(405, "use POST /drain\n");
                }

                lifecycle.BeginDrain("POST /drain");
                return AdminResponse.Text(200, "draining\n");
            case "/quitquitquit":
                if (method != "POST")
                {
                    return AdminResponse.Text(405, "use POST /quitquitquit\n");
                }

                lifecycle.Quit();
                return AdminResponse.Text(200, "OK\n");
            default:
                return AdminResponse.Text(404, "unknown path; try /ready, /stats/prometheus, /connections, /config_dump, /clusters, POST /drain, POST /quitquitquit\n");
        }
    }

    /// <summary>
    /// LIVE once listening and configured; otherwise 503 with the state and, before the first config from the control
    /// plane, what it waits on (Envoy answers its /ready the same way until its initial xDS fetch completes).
    /// </summary>
    private AdminResponse Ready()
    {
        var state = lifecycle.State;
        if (state != ProxyState.Live)
        {
            return AdminResponse.Text(503, state.ToString().ToUpperInvariant() + "\n");
        }

        return config.Source.NotReadyReason is { } reason
            ? AdminResponse.Text(503, $"NOT READY: {reason}\n")
            : AdminResponse.Text(200, "LIVE\n");
    }

    /// <summary>The 15090 port: what Prometheus scrapes in a mesh (Istio's metric names, and the proxy's own).</summary>
    public AdminResponse HandleMetrics(string method, string path) =>
        path == "/stats/prometheus" || path == "/metrics" ? Metrics() : AdminResponse.Text(404, "the metrics port serves /stats/prometheus\n");

    private AdminResponse Metrics()
    {
        var text = new System.Text.StringBuilder(PrometheusText.Render(metrics, endpoints, lifecycle.State == ProxyState.Live));
        ServerMemory.Render(text);
        if (http is not null)
        {
            text.Append(http.Telemetry.Metrics.RenderPrometheus());
        }

        return new AdminResponse(200, "text/plain; version=0.0.4; charset=utf-8", System.Text.Encoding.UTF8.GetBytes(text.ToString()));
    }

    /// <summary>The health port's own path (the app probes under /app-health/ are AppProbes/AppProbeHandler's).</summary>
    public AdminResponse HandleHealth(string method, string path) =>
        path == "/healthz/ready" ? Handle(method, path) : AdminResponse.Text(404, "the health port serves /healthz/ready and the rewritten app probes under /app-health/<container>/livez|readyz|startupz\n");

    private byte[] Connections()
    {
        var now = time.GetTimestamp();
        return Write(json =>
        {
            json.WriteStartArray();
            foreach (var c in connections.Live)
            {
                json.WriteStartObject();
                json.WriteNumber("id", c.Id);
                json.WriteString("listener", c.Listener.ToString().ToLowerInvariant());
                json.WriteString("direction", c.Direction.ToString().ToLowerInvariant());
                json.WriteString("downstreamRemote", c.Client.ToString());
                json.WriteString("downstreamLocal", c.LocalAddress?.ToString());
                json.WriteString("originalDestination", c.OriginalDestination?.ToString());
                json.WriteString("service", c.ServiceKey);
                json.WriteString("endpoint", c.UpstreamAddress?.ToString());
                json.WriteString("upstreamLocal", c.UpstreamLocalAddress?.ToString());
                json.WriteNumber("bytesSent", c.BytesToUpstream);
                json.WriteNumber("bytesReceived", c.BytesToDownstream);
                json.WriteNumber("ageSeconds", Math.Round(time.GetElapsedTime(c.StartTimestamp, now).TotalSeconds, 3));
                json.WriteNumber("idleSeconds", Math.Round(time.GetElapsedTime(c.LastActivity, now).TotalSeconds, 3));
                json.WriteString("configVersion", c.Snapshot?.Version);
                json.WriteString("state", c.Outcome.ToString());
                json.WriteEndObject();
            }

            // The pooled keep-alive connections to upstreams, each with the requests it has carried (the seed's lsof view).
            foreach (var u in http?.Pool.Open ?? [])
            {
                json.WriteStartObject();
                json.WriteNumber("id", u.Id);
                json.WriteString("direction", "upstream-pool");
                json.WriteString("service", u.Endpoint?.ServiceKey);
                json.WriteString("endpoint", u.Remote.ToString());
                json.WriteString("upstreamLocal", u.Local?.ToString());
                json.WriteNumber("requests", u.Requests);
                json.WriteBoolean("busy", u.Busy);
                json.WriteNumber("ageSeconds", Math.Round(time.GetElapsedTime(u.Created, now).TotalSeconds, 3));
                json.WriteNumber("idleSeconds", u.Busy ? 0 : Math.Round(time.GetElapsedTime(u.LastUsed, now).TotalSeconds, 3));
                json.WriteEndObject();
            }

            // The pooled h2c connections to upstreams (gRPC calls multiplexed on them), the same view.
            foreach (var u in http?.Http2?.Upstreams.Open ?? [])
            {
                json.WriteStartObject();
                json.WriteNumber("id", u.Id);
                json.WriteString("direction", "upstream-h2");
                json.WriteString("endpoint", u.Remote.ToString());
                json.WriteString("upstreamLocal", u.Local.ToString());
                json.WriteNumber("requests", u.Requests);
                json.WriteNumber("ageSeconds", Math.Round(time.GetElapsedTime(u.Created, now).TotalSeconds, 3));
                json.WriteNumber("idleSeconds", Math.Round(time.GetElapsedTime(u.LastActive, now).TotalSeconds, 3));
                json.WriteEndObject();
            }

            json.WriteEndArray();
        });
    }

    private byte[] Clusters() => Write(json =>
    {
        json.WriteStartArray();
        foreach (var route in config.Current.Routes)
        {
            json.WriteStartObject();
            json.WriteString("service", route.Key);
            json.WriteNumber("port", route.Port.Port);
            json.WriteString("loadBalancer", route.Service.LoadBalancer.ToString());
            json.WriteStartArray("endpoints");
            foreach (var endpoint in route.Endpoints)
            {
                json.WriteStartObject();
                json.WriteString("address", endpoint.Address.ToString());
                json.WriteString("health", endpoint.Health.ToString());
                json.WriteNumber("activeConnections", endpoint.Active);
                json.WriteNumber("totalConnections", endpoint.Total);
                json.WriteNumber("connectFailures", endpoint.ConnectFailures);
                json.WriteNumber("activeRequests", endpoint.RequestsActive);
                json.WriteNumber("totalRequests", endpoint.Requests);
                AdminJson.WriteLabels(json, "labels", endpoint.Labels);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
    });

    private static byte[] Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(4096);
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            write(json);
        }

        return buffer.WrittenSpan.ToArray();
    }
}
