using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Waylay.Proxy.Connections;

namespace Waylay.Proxy.Telemetry;

/// <summary>
/// The proxy's counters, kept as plain longs (Interlocked) so the relay updates them without allocating, and
/// published two ways: as System.Diagnostics.Metrics instruments (meter "Waylay.Proxy", for OpenTelemetry or
/// dotnet-counters) and as Prometheus text on /stats/prometheus. A connection is counted once, when accepted, so
/// every "opened" has its "closed".
/// </summary>
internal sealed class ProxyMetrics : IDisposable
{
    private readonly ConcurrentDictionary<string, ServiceCounters> _services = new(StringComparer.Ordinal);
    private readonly Meter _meter = new("Waylay.Proxy");
    private long _downstreamOutboundTotal;
    private long _downstreamInboundTotal;
    private long _downstreamOutboundActive;
    private long _downstreamInboundActive;
    private long _loopRefused;
    private long _idleTimeouts;

    public ProxyMetrics()
    {
        _meter.CreateObservableCounter("waylay.proxy.downstream.connections", () => new[]
        {
            new Measurement<long>(DownstreamTotal(ListenerKind.Outbound), new KeyValuePair<string, object?>("listener", "outbound")),
            new Measurement<long>(DownstreamTotal(ListenerKind.Inbound), new KeyValuePair<string, object?>("listener", "inbound")),
        }, "{connection}", "Connections accepted from downstream");
        _meter.CreateObservableUpDownCounter("waylay.proxy.downstream.active_connections", () => DownstreamActive, "{connection}", "Downstream connections open now");
        _meter.CreateObservableCounter("waylay.proxy.upstream.connections", () => Measure(static c => c.Total), "{connection}", "Upstream connections opened, by service");
        _meter.CreateObservableUpDownCounter("waylay.proxy.upstream.active_connections", () => Measure(static c => c.Active), "{connection}", "Upstream connections open now, by service");
        _meter.CreateObservableCounter("waylay.proxy.upstream.connect_failures", () => Measure(static c => c.ConnectFailures), "{connection}", "Upstream connects refused or unreachable");
        _meter.CreateObservableCounter("waylay.proxy.upstream.connect_timeouts", () => Measure(static c => c.ConnectTimeouts), "{connection}", "Upstream connects that hit --connect-timeout");
        _meter.CreateObservableCounter("waylay.proxy.sent", () => Measure(static c => c.BytesSent), "By", "Bytes from downstream to upstream");
        _meter.CreateObservableCounter("waylay.proxy.received", () => Measure(static c => c.BytesReceived), "By", "Bytes from upstream to downstream");
        _meter.CreateObservableCounter("waylay.proxy.loop_refused", () => LoopRefused, "{connection}", "Connections refused by the loop guard");
    }

    public long LoopRefused => Volatile.Read(ref _loopRefused);

    public long IdleTimeouts => Volatile.Read(ref _idleTimeouts);

    public long DownstreamActive => Volatile.Read(ref _downstreamOutboundActive) + Volatile.Read(ref _downstreamInboundActive);

    public ICollection<ServiceCounters> Services => _services.Values;

    public long DownstreamTotal(ListenerKind kind) =>
        kind == ListenerKind.Outbound ? Volatile.Read(ref _downstreamOutboundTotal) : Volatile.Read(ref _downstreamInboundTotal);

    public long DownstreamActiveOf(ListenerKind kind) =>
        kind == ListenerKind.Outbound ? Volatile.Read(ref _downstreamOutboundActive) : Volatile.Read(ref _downstreamInboundActive);

    public ServiceCounters For(string service) => _services.GetOrAdd(service, static s => new ServiceCounters(s));

    public void DownstreamOpened(ListenerKind kind)
    {
        if (kind == ListenerKind.Outbound)
        {
            Interlocked.Increment(ref _downstreamOutboundTotal);
            Interlocked.Increment(ref _downstreamOutboundActive);
        }
        else
        {
            Interlocked.Increment(ref _downstreamInboundTotal);
            Interlocked.Increment(ref _downstreamInboundActive);
        }
    }

    public void DownstreamClosed(ListenerKind kind) =>
        Interlocked.Decrement(ref kind == ListenerKind.Outbound ? ref _downstreamOutboundActive : ref _downstreamInboundActive);

    public void LoopRefusedOnce() => Interlocked.Increment(ref _loopRefused);

    public void IdleTimeoutOnce() => Interlocked.Increment(ref _idleTimeouts);

    public void Dispose() => _meter.Dispose();

    private IEnumerable<Measurement<long>> Measure(Func<ServiceCounters, long> read)
    {
        foreach (var counters in _services.Values)
        {
            yield return new Measurement<long>(read(counters), new KeyValuePair<string, object?>("service", counters.Service));
        }
    }
}
