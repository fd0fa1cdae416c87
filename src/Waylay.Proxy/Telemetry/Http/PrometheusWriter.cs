using System.Globalization;
using System.Text;

namespace Waylay.Proxy.Telemetry.Http;

/// <summary>
/// Prometheus text exposition format 0.0.4, the parts Istio's metrics need: escaped label values, counters and
/// cumulative histograms. <see cref="PrometheusText"/> (the L4 page) renders fixed single-label counters with no escaping
/// and no histograms, so this sits beside it; its output is appended to the same page.
/// </summary>
internal static class PrometheusWriter
{
    /// <summary>Appends <c>name="value"</c>, escaping backslash, double quote and line feed as the format requires.</summary>
    public static void Label(StringBuilder text, string name, string value, bool first = false)
    {
        if (!first)
        {
            text.Append(',');
        }

        text.Append(name).Append("=\"");
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\':
                    text.Append("\\\\");
                    break;
                case '"':
                    text.Append("\\\"");
                    break;
                case '\n':
                    text.Append("\\n");
                    break;
                default:
                    text.Append(c);
                    break;
            }
        }

        text.Append('"');
    }

    public static void Type(TextWriter writer, string name, string type)
    {
        writer.Write("# TYPE ");
        writer.Write(name);
        writer.Write(' ');
        writer.Write(type);
        writer.Write('\n');
    }

    public static void Sample(TextWriter writer, string name, string labels, long value)
    {
        writer.Write(name);
        writer.Write('{');
        writer.Write(labels);
        writer.Write("} ");
        writer.Write(value.ToString(CultureInfo.InvariantCulture));
        writer.Write('\n');
    }

    /// <summary><c>_bucket</c> lines (cumulative, ending with +Inf), then <c>_sum</c> and <c>_count</c>.</summary>
    public static void Histogram(TextWriter writer, string name, string labels, Histogram histogram)
    {
        long cumulative = 0;
        for (var i = 0; i <= histogram.Bounds.Length; i++)
        {
            cumulative += histogram.BucketCount(i);
            writer.Write(name);
            writer.Write("_bucket{");
            writer.Write(labels);
            writer.Write(",le=\"");
            writer.Write(i < histogram.Bounds.Length ? Number(histogram.Bounds[i]) : "+Inf");
            writer.Write("\"} ");
            writer.Write(cumulative.ToString(CultureInfo.InvariantCulture));
            writer.Write('\n');
        }

        writer.Write(name);
        writer.Write("_sum{");
        writer.Write(labels);
        writer.Write("} ");
        writer.Write(Number(histogram.Sum));
        writer.Write('\n');
        writer.Write(name);
        writer.Write("_count{");
        writer.Write(labels);
        writer.Write("} ");
        writer.Write(histogram.Count.ToString(CultureInfo.InvariantCulture));
        writer.Write('\n');
    }

    /// <summary>Shortest round-trip form, invariant ("0.5", "1000000", "1.5").</summary>
    public static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
