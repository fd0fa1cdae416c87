using System.Globalization;
using System.Net;
using System.Text;

namespace Waylay.TestKit;

/// <summary>One sample of a Prometheus text page: metric name, labels, value.</summary>
public sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    public override string ToString() =>
        $"{Name}{{{string.Join(",", Labels.Select(l => $"{l.Key}=\"{l.Value}\""))}}} {Value.ToString(CultureInfo.InvariantCulture)}";
}

/// <summary>
/// A scraped Prometheus text page (format 0.0.4), parsed with the format's label escaping, so tests select series by
/// the labels they care about (e.g. reporter and response_code) whatever else Istio's label set carries.
/// </summary>
public sealed class PrometheusScrape
{
    private PrometheusScrape(string text, IReadOnlyList<PrometheusSample> samples)
    {
        Text = text;
        Samples = samples;
    }

    public string Text { get; }

    public IReadOnlyList<PrometheusSample> Samples { get; }

    /// <summary>GET <paramref name="path"/> on 127.0.0.1:<paramref name="port"/> inside the namespace (as root: not captured).</summary>
    public static async Task<PrometheusScrape> FetchAsync(TestNamespace ns, ushort port, string path = "/stats/prometheus")
    {
        var response = await RawHttp.GetAsync(ns, new IPEndPoint(IPAddress.Loopback, port), path);
        if (response.Status != 200)
        {
            throw new InvalidOperationException($"GET 127.0.0.1:{port}{path} answered {response.Status}: {response.BodyText}");
        }

        return Parse(response.BodyText);
    }

    public static PrometheusScrape Parse(string text)
    {
        var samples = new List<PrometheusSample>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            samples.Add(ParseLine(line));
        }

        return new PrometheusScrape(text, samples);
    }

    /// <summary>Samples of <paramref name="name"/> whose labels include every given pair.</summary>
    public IEnumerable<PrometheusSample> Select(string name, params (string Label, string Value)[] labels) =>
        Samples.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Label, out var v) && v == l.Value));

    /// <summary>The sum over <see cref="Select"/>: 0 when no series matches.</summary>
    public double Sum(string name, params (string Label, string Value)[] labels) => Select(name, labels).Sum(s => s.Value);

    /// <summary>The page's lines for one family, for failure messages.</summary>
    public string Family(string name) => string.Join(Environment.NewLine, Samples.Where(s => s.Name.StartsWith(name, StringComparison.Ordinal)));

    private static PrometheusSample ParseLine(string line)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        var brace = line.IndexOf('{', StringComparison.Ordinal);
        var space = line.IndexOf(' ', StringComparison.Ordinal);
        string name;
        int valueStart;
        if (brace >= 0 && (space < 0 || brace < space))
        {
            name = line[..brace];
            var i = brace + 1;
            while (line[i] != '}')
            {
                var eq = line.IndexOf('=', i);
                var key = line[i..eq].Trim(',', ' ');
                var value = new StringBuilder();
                var j = eq + 2; // past ="
                for (; line[j] != '"'; j++)
                {
                    if (line[j] == '\\')
                    {
                        j++;
                        value.Append(line[j] switch { 'n' => '\n', var c => c });
                    }
                    else
                    {
                        value.Append(line[j]);
                    }
                }

                labels[key] = value.ToString();
                i = j + 1;
                if (line[i] == ',')
                {
                    i++;
                }
            }

            valueStart = i + 2;
        }
        else
        {
            name = line[..space];
            valueStart = space + 1;
        }

        var valueText = line[valueStart..].Split(' ')[0];
        var number = valueText switch
        {
            "+Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            "NaN" => double.NaN,
            _ => double.Parse(valueText, CultureInfo.InvariantCulture),
        };
        return new PrometheusSample(name, labels, number);
    }
}
