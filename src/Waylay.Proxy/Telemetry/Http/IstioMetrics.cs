using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text;
using Waylay.Proxy.Connections;

namespace Waylay.Proxy.Telemetry.Http;

/// <summary>
/// Istio's standard metrics, named and labelled as Istio's telemetry v2 emits them so its Grafana dashboards work:
/// <c>istio_requests_total</c>, <c>istio_request_duration_milliseconds</c>, <c>istio_request_bytes</c>,
/// <c>istio_response_bytes</c>, <c>istio_tcp_connections_opened_total</c>, <c>istio_tcp_connections_closed_total</c>,
/// <c>istio_tcp_sent_bytes_total</c>, <c>istio_tcp_received_bytes_total</c>. A request with interned labels updates
/// plain counters found by a struct key: nothing is allocated once its series exists.
/// </summary>
internal sealed class IstioMetrics : IDisposable
{
    private readonly ConcurrentDictionary<IstioLabels, IstioLabels> _interned = new();
    private readonly ConcurrentDictionary<RequestKey, RequestSeries> _requests = new();
    private readonly ConcurrentDictionary<TcpKey, TcpSeries> _tcp = new();
    private readonly Meter _meter = new("Waylay.Proxy.Http");

    public IstioMetrics()
    {
        _meter.CreateObservableCounter("istio.requests", () => Sum(_requests.Values, static s => s.Requests), "{request}", "HTTP requests, as istio_requests_total");
        _meter.CreateObservableCounter("istio.tcp.connections_opened", () => Sum(_tcp.Values, static s => s.Opened), "{connection}", "TCP connections opened");
        _meter.CreateObservableCounter("istio.tcp.connections_closed", () => Sum(_tcp.Values, static s => s.Closed), "{connection}", "TCP connections closed");
        _meter.CreateObservableCounter("istio.tcp.sent", () => Sum(_tcp.Values, static s => s.Sent), "By", "Bytes sent toward the downstream");
        _meter.CreateObservableCounter("istio.tcp.received", () => Sum(_tcp.Values, static s => s.Received), "By", "Bytes received from the downstream");
    }

    /// <summary>The one instance equal to <paramref name="labels"/>: call once per connection or route, not per request.</summary>
    public IstioLabels Intern(IstioLabels labels)
    {
        var canonical = _interned.GetOrAdd(labels, labels);
        canonical.InternedBy = this;
        return canonical;
    }

    /// <param name="grpcStatus">The <c>grpc-status</c> of a gRPC response; -1 for plain HTTP (label left empty, as Istio).</param>
    public void RecordRequest(IstioLabels labels, int responseCode, ResponseFlags flags, double durationMilliseconds,
        long requestBytes, long responseBytes, int grpcStatus = -1)
    {
        var canonical = Interned(labels);
        var key = new RequestKey(canonical, responseCode, flags, grpcStatus);
        var series = canonical.LastSeries;
        if (series is null || series.Owner != this || !series.Key.Equals(key))
        {
            series = _requests.GetOrAdd(key, static (key, owner) => new RequestSeries(owner, key, RequestLabelText(key)), this);
            canonical.LastSeries = series;
        }

        series.Record(durationMilliseconds, requestBytes, responseBytes);
    }

    /// <summary>A TCP (opaque) connection was accepted and will be counted closed with <see cref="TcpClosed"/>.</summary>
    public void TcpOpened(IstioLabels labels) => Tcp(labels, ResponseFlags.None).Open();

    /// <summary>Bytes so far (Istio reports open connections periodically); <paramref name="sent"/> flows toward the downstream.</summary>
    public void TcpBytes(IstioLabels labels, ResponseFlags flags, long sent, long received) => Tcp(labels, flags).AddBytes(sent, received);

    public void TcpClosed(IstioLabels labels, ResponseFlags flags, long sent, long received)
    {
        var series = Tcp(labels, flags);
        series.AddBytes(sent, received);
        series.Close();
    }

    /// <summary>Every family, series sorted by their labels so the page is stable between scrapes.</summary>
    public void WritePrometheus(TextWriter writer)
    {
        var requests = Sorted(_requests.Values, static s => s.LabelText);
        PrometheusWriter.Type(writer, "istio_requests_total", "counter");
        foreach (var s in requests)
        {
            PrometheusWriter.Sample(writer, "istio_requests_total", s.LabelText, s.Requests);
        }

        HistogramFamily(writer, "istio_request_duration_milliseconds", requests, static s => s.Duration);
        HistogramFamily(writer, "istio_request_bytes", requests, static s => s.RequestBytes);
        HistogramFamily(writer, "istio_response_bytes", requests, static s => s.ResponseBytes);

        var tcp = Sorted(_tcp.Values, static s => s.LabelText);
        TcpFamily(writer, "istio_tcp_connections_opened_total", tcp, static s => s.Opened, static s => s.Opened > 0);
        TcpFamily(writer, "istio_tcp_connections_closed_total", tcp, static s => s.Closed, static s => s.Closed > 0);
        TcpFamily(writer, "istio_tcp_sent_bytes_total", tcp, static s => s.Sent, static s => s.HasBytes);
        TcpFamily(writer, "istio_tcp_received_bytes_total", tcp, static s => s.Received, static s => s.HasBytes);
    }

    public string RenderPrometheus()
    {
        var writer = new StringWriter { NewLine = "\n" };
        WritePrometheus(writer);
        return writer.ToString();
    }

    public void Dispose() => _meter.Dispose();

    /// <summary>An interned set knows it is (a flag on the instance); any other is looked up by value once more.</summary>
    private IstioLabels Interned(IstioLabels labels) => labels.InternedBy == this ? labels : Intern(labels);

    private TcpSeries Tcp(IstioLabels labels, ResponseFlags flags) =>
        _tcp.GetOrAdd(new TcpKey(Interned(labels), flags), static key => new TcpSeries(TcpLabelText(key)));

    private static void HistogramFamily(TextWriter writer, string name, List<RequestSeries> series, Func<RequestSeries, Histogram> pick)
    {
        PrometheusWriter.Type(writer, name, "histogram");
        foreach (var s in series)
        {
            PrometheusWriter.Histogram(writer, name, s.LabelText, pick(s));
        }
    }

    private static void TcpFamily(TextWriter writer, string name, List<TcpSeries> series, Func<TcpSeries, long> read, Func<TcpSeries, bool> present)
    {
        PrometheusWriter.Type(writer, name, "counter");
        foreach (var s in series)
        {
            // A family lists only the series it counted, as Envoy creates a stat on first use: a connection opened
            // under "-" and closed under "UF" makes no zero "opened" line for UF.
            if (present(s))
            {
                PrometheusWriter.Sample(writer, name, s.LabelText, read(s));
            }
        }
    }

    private static List<T> Sorted<T>(ICollection<T> values, Func<T, string> key)
    {
        var list = new List<T>(values);
        list.Sort((a, b) => string.CompareOrdinal(key(a), key(b)));
        return list;
    }

    private static long Sum<T>(ICollection<T> values, Func<T, long> read)
    {
        long total = 0;
        foreach (var value in values)
        {
            total += read(value);
        }

        return total;
    }

    // :: Istio's label order (telemetry v2 standard metrics).
    private static string RequestLabelText(RequestKey key)
    {
        var text = Peers(key.Labels, request: true);
        PrometheusWriter.Label(text, "response_code", key.ResponseCode.ToString(System.Globalization.CultureInfo.InvariantCulture));
        PrometheusWriter.Label(text, "grpc_response_status", key.GrpcStatus < 0 ? "" : key.GrpcStatus.ToString(System.Globalization.CultureInfo.InvariantCulture));
        PrometheusWriter.Label(text, "response_flags", key.Flags.ToEnvoyString());
        PrometheusWriter.Label(text, "connection_security_policy", key.Labels.ConnectionSecurityPolicy);
        return text.ToString();
    }

    private static string TcpLabelText(TcpKey key)
    {
        var text = Peers(key.Labels, request: false);
        PrometheusWriter.Label(text, "response_flags", key.Flags.ToEnvoyString());
        PrometheusWriter.Label(text, "connection_security_policy", key.Labels.ConnectionSecurityPolicy);
        return text.ToString();
    }

    private static StringBuilder Peers(IstioLabels l, bool request)
    {
        var text = new StringBuilder(768);
        PrometheusWriter.Label(text, "reporter", l.ReporterText, first: true);
        PrometheusWriter.Label(text, "source_workload", l.Source.Workload);
        PrometheusWriter.Label(text, "source_canonical_service", l.Source.CanonicalService);
        PrometheusWriter.Label(text, "source_canonical_revision", l.Source.CanonicalRevision);
        PrometheusWriter.Label(text, "source_workload_namespace", l.Source.Namespace);
        PrometheusWriter.Label(text, "source_principal", l.Source.Principal);
        PrometheusWriter.Label(text, "source_app", l.Source.App);
        PrometheusWriter.Label(text, "source_version", l.Source.Version);
        PrometheusWriter.Label(text, "source_cluster", l.Source.Cluster);
        PrometheusWriter.Label(text, "destination_workload", l.Destination.Workload);
        PrometheusWriter.Label(text, "destination_workload_namespace", l.Destination.Namespace);
        PrometheusWriter.Label(text, "destination_principal", l.Destination.Principal);
        PrometheusWriter.Label(text, "destination_app", l.Destination.App);
        PrometheusWriter.Label(text, "destination_version", l.Destination.Version);
        PrometheusWriter.Label(text, "destination_service", l.DestinationService);
        PrometheusWriter.Label(text, "destination_canonical_service", l.Destination.CanonicalService);
        PrometheusWriter.Label(text, "destination_canonical_revision", l.Destination.CanonicalRevision);
        PrometheusWriter.Label(text, "destination_service_name", l.DestinationServiceName);
        PrometheusWriter.Label(text, "destination_service_namespace", l.DestinationServiceNamespace);
        PrometheusWriter.Label(text, "destination_cluster", l.Destination.Cluster);
        PrometheusWriter.Label(text, "request_protocol", request ? l.RequestProtocol : "tcp");
        return text;
    }
}
