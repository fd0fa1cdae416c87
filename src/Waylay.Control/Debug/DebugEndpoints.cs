using System.Text.Json;
using Google.Protobuf;
using Waylay.Control.Discovery;
using Waylay.Control.Registry;
using Waylay.Discovery;

namespace Waylay.Control.Debug;

/// <summary>
/// The debug port (istiod's 15014): <c>/debug/syncz</c> (each connected proxy: per type what was last sent, what it
/// ACKed, its last NACK; and each source's sync state with every resource it did not apply), <c>/debug/configz</c>
/// (the merged config per type, as sent), <c>/metrics</c> (Prometheus), <c>/ready</c>.
/// </summary>
internal sealed class DebugEndpoints(MeshRegistry registry, ProxyConnections connections, ControlMetrics metrics)
{
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(false));

    public string Syncz() => Write(json =>
    {
        var snapshot = registry.Current;
        json.WriteStartObject();
        json.WriteNumber("version", snapshot.Version);
        json.WriteStartArray("proxies");
        foreach (var proxy in connections.All.OrderBy(p => p.Id, StringComparer.Ordinal))
        {
            json.WriteStartObject();
            json.WriteString("proxy", proxy.Id);
            json.WriteString("namespace", proxy.Node.Namespace);
            json.WriteString("peer", proxy.Peer);
            json.WriteString("ips", string.Join(",", proxy.Node.Ips));
            json.WriteString("serviceAccount", proxy.Node.ServiceAccount);
            json.WriteString("connected", proxy.Connected);
            // The scope it is served from (istiod's SidecarScope): proxies with one view share its encoded bytes.
            var view = proxy.View;
            json.WriteString("view", view?.Key ?? "");
            json.WriteString("sidecar", view?.Sidecar ?? "");
            // The version this proxy runs when in sync: its view's newest type version (≤ "version" above, which
            // also counts changes outside its view).
            json.WriteNumber("viewVersion", view?.Version ?? 0);
            json.WriteStartObject("types");
            foreach (var (type, state) in proxy.Types().OrderBy(t => t.Key, StringComparer.Ordinal))
            {
                json.WriteStartObject(TypeUrls.Short(type));
                json.WriteString("sent", state.SentVersion < 0 ? "" : state.SentVersion.ToString(System.Globalization.CultureInfo.InvariantCulture));
                json.WriteString("nonce", state.SentNonce);
                json.WriteString("acked", state.AckedVersion);
                json.WriteString("status", Status(state, view?.Types.GetValueOrDefault(type)));
                json.WriteNumber("pushes", state.Pushes);
                // The last response on the wire: whole set or only what changed (incremental), and its size.
                json.WriteBoolean("incremental", state.SentIncremental);
                json.WriteNumber("resources", state.SentResources);
                json.WriteNumber("removed", state.SentRemoved);
                json.WriteNumber("bytes", state.SentBytes);
                if (state.NackError is not null)
                {
                    json.WriteString("nackedVersion", state.NackedVersion);
                    json.WriteString("nackError", state.NackError);
                }

                json.WriteEndObject();
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartArray("sources");
        foreach (var source in snapshot.Sources)
        {
            json.WriteStartObject();
            json.WriteString("source", source.Status.Source);
            json.WriteBoolean("synced", source.Synced);
            json.WriteNumber("revision", source.Revision);
            // What the source applies, by kind (Sidecars scope proxies' views; VirtualServices and DestinationRules route).
            json.WriteStartObject("appliedByKind");
            json.WriteNumber("Service", source.Mesh.Services.Count);
            foreach (var group in (source.Routing ?? []).GroupBy(r => r.Kind).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                json.WriteNumber(group.Key, group.Count());
            }

            json.WriteEndObject();
            json.WriteStartObject("unsupportedByKind");
            foreach (var (kind, count) in source.Status.IgnoredByKind)
            {
                json.WriteNumber(kind, count);
            }

            json.WriteEndObject();
            json.WriteStartArray("notApplied");
            foreach (var ignored in source.Status.Ignored)
            {
                json.WriteStringValue(ignored.ToString());
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    });

    public string Configz() => Write(json =>
    {
        var snapshot = registry.Current;
        json.WriteStartObject();
        json.WriteNumber("version", snapshot.Version);
        foreach (var type in TypeUrls.Subscribed)
        {
            if (!snapshot.Types.TryGetValue(type, out var content))
            {
                continue;
            }

            json.WriteStartObject(TypeUrls.Short(type));
            json.WriteNumber("version", content.Version);
            json.WriteStartArray("resources");
            foreach (var resource in content.Resources)
            {
                json.WriteRawValue(Formatter.Format(resource));
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndObject();
    });

    public string Metrics() => metrics.Render(registry.Current.Sources);

    /// <summary>SYNCED (ACKed the current version), NACKED, or STALE (sent, no answer yet, or not sent yet), as istioctl proxy-status says it.</summary>
    private static string Status(ProxyConnection.TypeState state, TypeSnapshot? current)
    {
        if (state.NackError is not null && state.NackedVersion == state.SentVersion.ToString(System.Globalization.CultureInfo.InvariantCulture))
        {
            return "NACKED";
        }

        return current is not null && state.SentSnapshot?.Hash == current.Hash
            && state.AckedVersion == state.SentVersion.ToString(System.Globalization.CultureInfo.InvariantCulture) ? "SYNCED" : "STALE";
    }

    private static string Write(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            write(json);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }
}
