using System.Globalization;
using System.Security;
using System.Text;
using Waylay.Diagnostics.Explain;

namespace Waylay.Diagnostics.Experiments;

/// <summary>
/// One source's path drawn as plain SVG text (no library: boxes, arrows, text): each step — a chain of rules, the
/// node, a proxy, an endpoint pod — is a box, left to right in the order the connection passes them. The path taken
/// is highlighted (a thick green outline where every check was seen, red where one was not); endpoints kube-proxy
/// did not pick, and steps with nothing to observe, are drawn grey.
/// </summary>
internal static class TrafficSvg
{
    private const int Width = 210;
    private const int Height = 96;
    private const int Gap = 40;
    private const int Margin = 20;

    public static string FileName(TrafficResult result) => $"source-{result.Source.Number.ToString(CultureInfo.InvariantCulture)}.svg";

    public static string Draw(TrafficResult result)
    {
        var steps = result.Steps;
        var width = Margin * 2 + steps.Count * Width + Math.Max(0, steps.Count - 1) * Gap;
        var height = Margin * 2 + Height + 40;
        var s = new StringBuilder();
        s.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        s.Append("  <defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#333\"/></marker></defs>\n");
        s.Append(CultureInfo.InvariantCulture, $"  <text x=\"{Margin}\" y=\"{Margin + 4}\" font-weight=\"bold\">({result.Source.Number}) {Escape(result.Source.Title)}: {Escape(Verdict(result))}</text>\n");
        for (var i = 0; i < steps.Count; i++)
        {
            var step = steps[i];
            var x = Margin + i * (Width + Gap);
            var y = Margin + 24;
            var (stroke, thickness) = step.Observed.Count == 0 || PathOutcome.NotPicked(step, steps) ? ("#999", 1)
                : PathOutcome.Differs(step, steps) ? ("#c62828", 3) : ("#2e7d32", 3);
            s.Append(CultureInfo.InvariantCulture, $"  <g class=\"step\"><rect x=\"{x}\" y=\"{y}\" width=\"{Width}\" height=\"{Height}\" rx=\"6\" fill=\"#fafafa\" stroke=\"{stroke}\" stroke-width=\"{thickness}\"/>\n");
            s.Append(CultureInfo.InvariantCulture, $"    <text x=\"{x + 8}\" y=\"{y + 18}\" font-weight=\"bold\">{Escape(Clip(step.Where, 30))}</text>\n");
            var line = 0;
            foreach (var part in Wrap(step.What, 34).Take(4))
            {
                s.Append(CultureInfo.InvariantCulture, $"    <text x=\"{x + 8}\" y=\"{y + 38 + line++ * 15}\">{Escape(part)}</text>\n");
            }

            s.Append("  </g>\n");
            if (i > 0)
            {
                var from = x - Gap;
                s.Append(CultureInfo.InvariantCulture, $"  <line x1=\"{from + 2}\" y1=\"{y + Height / 2}\" x2=\"{x - 2}\" y2=\"{y + Height / 2}\" stroke=\"#333\" stroke-width=\"2\" marker-end=\"url(#arrow)\"/>\n");
            }
        }

        s.Append("</svg>\n");
        return s.ToString();
    }

    private static string Verdict(TrafficResult result) => result.Verdict switch
    {
        Experiments.Verdict.Confirmed => "as the seed says, confirmed",
        Experiments.Verdict.Differs => "prediction and reality differ",
        Experiments.Verdict.NotAsSeed => "not the seed's path",
        _ => "not run",
    };

    private static string Escape(string text) => SecurityElement.Escape(text) ?? "";

    private static string Clip(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";

    /// <summary>Greedy word wrap; the last line shown is clipped (the full text is in the Markdown next to it).</summary>
    private static IEnumerable<string> Wrap(string text, int length)
    {
        var line = new StringBuilder();
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > length)
            {
                yield return Clip(line.ToString(), length);
                line.Clear();
            }

            line.Append(line.Length > 0 ? " " : "").Append(word);
        }

        if (line.Length > 0)
        {
            yield return Clip(line.ToString(), length);
        }
    }
}
