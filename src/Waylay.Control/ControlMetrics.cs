using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Waylay.Control.Sources;

namespace Waylay.Control;

/// <summary>
/// The control plane's Prometheus metrics under istiod's names where its dashboards expect them: <c>pilot_xds</c>
/// (connected proxies), <c>pilot_xds_pushes{type}</c>, <c>pilot_total_xds_rejects{type}</c> (NACKs),
/// <c>pilot_proxy_convergence_time</c> (seconds from a change to a proxy's response); plus Waylay's
/// <c>waylay_control_push_bytes_total{type}</c>, <c>waylay_control_push_resources_total{type}</c> and <c>waylay_control_unsupported_resources{source,kind}</c>.
/// </summary>
internal sealed class ControlMetrics
{
    private static readonly double[] Buckets = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    private readonly ConcurrentDictionary<string, long> _pushes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _bytes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _resources = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _rejects = new(StringComparer.Ordinal);
    private readonly long[] _convergence = new long[Buckets.Length + 1];
    private readonly Lock _lock = new();
    private double _convergenceSum;
    private long _connected;

    public void Connected(int count) => Interlocked.Exchange(ref _connected, count);

    public void Nack(string type) => _rejects.AddOrUpdate(type, 1, (_, n) => n + 1);

    public void Pushed(string type, long bytes, int resources, TimeSpan? convergence)
    {
        _resources.AddOrUpdate(type, resources, (_, n) => n + resources);
        _pushes.AddOrUpdate(type, 1, (_, n) => n + 1);
        _bytes.AddOrUpdate(type, bytes, (_, n) => n + bytes);
        if (convergence is { } c)
        {
            var seconds = Math.Max(0, c.TotalSeconds);
            var bucket = Array.FindIndex(Buckets, b => seconds <= b);
            lock (_lock)
            {
                _convergence[bucket < 0 ? Buckets.Length : bucket]++;
                _convergenceSum += seconds;
            }
        }
    }

    public long Pushes(string type) => _pushes.TryGetValue(type, out var n) ? n : 0;

    public string Render(IEnumerable<SourceSnapshot> sources)
    {
        var text = new StringBuilder();
        text.Append("# HELP pilot_xds Proxies connected to this control plane.\n# TYPE pilot_xds gauge\n");
        text.Append(CultureInfo.InvariantCulture, $"pilot_xds {Interlocked.Read(ref _connected)}\n");
        Counter(text, "pilot_xds_pushes", "Responses sent to proxies, by type.", _pushes);
        Counter(text, "pilot_total_xds_rejects", "Responses proxies refused (NACK), by type.", _rejects);
        Counter(text, "waylay_control_push_bytes_total", "Resource bytes sent to proxies, by type.", _bytes);
        Counter(text, "waylay_control_push_resources_total", "Resources sent to proxies (incremental pushes count only the changed ones), by type.", _resources);
        text.Append("# HELP pilot_proxy_convergence_time Seconds from a config change to a proxy's response.\n# TYPE pilot_proxy_convergence_time histogram\n");
        lock (_lock)
        {
            long cumulative = 0;
            for (var i = 0; i < Buckets.Length; i++)
            {
                cumulative += _convergence[i];
                text.Append(CultureInfo.InvariantCulture, $"pilot_proxy_convergence_time_bucket{{le=\"{Buckets[i]}\"}} {cumulative}\n");
            }

            cumulative += _convergence[^1];
            text.Append(CultureInfo.InvariantCulture, $"pilot_proxy_convergence_time_bucket{{le=\"+Inf\"}} {cumulative}\n");
            text.Append(CultureInfo.InvariantCulture, $"pilot_proxy_convergence_time_sum {_convergenceSum}\npilot_proxy_convergence_time_count {cumulative}\n");
        }

        text.Append("# HELP waylay_control_unsupported_resources Resources a source received that Waylay does not apply, by kind.\n# TYPE waylay_control_unsupported_resources gauge\n");
        foreach (var source in sources)
        {
            foreach (var (kind, count) in source.Status.IgnoredByKind.OrderBy(k => k.Key, StringComparer.Ordinal))
            {
                text.Append(CultureInfo.InvariantCulture, $"waylay_control_unsupported_resources{{source=\"{source.Status.Source}\",kind=\"{kind}\"}} {count}\n");
            }
        }

        return text.ToString();
    }

    private static void Counter(StringBuilder text, string name, string help, ConcurrentDictionary<string, long> values)
    {
        text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} counter\n");
        foreach (var (type, count) in values.OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            text.Append(CultureInfo.InvariantCulture, $"{name}{{type=\"{type}\"}} {count}\n");
        }
    }
}
