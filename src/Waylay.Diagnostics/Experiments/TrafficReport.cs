using System.Text;
using Waylay.Diagnostics.Explain;

namespace Waylay.Diagnostics.Experiments;

/// <summary>
/// The experiment's report as Markdown: a summary table (source, verdict), then per source the path as the seed
/// explains it, the numbered path predicted, what the kernel and the proxies showed for each step (counter deltas per
/// rule, conntrack entries, proxy connections, the process that answered), the packets tcpdump saw on the target's
/// interfaces, and a link to the path's drawing (<see cref="TrafficSvg"/>, written next to the report).
/// </summary>
internal static class TrafficReport
{
    public static string Markdown(string run, string target, IReadOnlyList<TrafficResult> results, DateTimeOffset when)
    {
        var s = new StringBuilder();
        s.Append("# Traffic paths to ").Append(target).Append("\n\n");
        s.Append("Run `").Append(run).Append("`, ").Append(when.ToString("yyyy-MM-dd HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture))
            .Append(". Each source's connection was predicted from the capture rules, the proxies' configuration and the node's rules, ")
            .Append("then made for real and confirmed from counter deltas, conntrack entries and the proxies' `/connections`.\n\n");
        s.Append("| # | source | verdict |\n| --- | --- | --- |\n");
        foreach (var r in results)
        {
            s.Append("| ").Append(r.Source.Number).Append(" | ").Append(Cell(r.Source.Title)).Append(" | ")
                .Append(r.Verdict switch
                {
                    Verdict.Confirmed => "as the seed says, confirmed",
                    Verdict.Differs => "**prediction and reality differ**",
                    Verdict.NotAsSeed => "**not the seed's path**: " + Cell(r.SeedDifference ?? ""),
                    _ => "not run: " + Cell(r.Source.NotRun ?? ""),
                })
                .Append(" |\n");
        }

        foreach (var r in results.Where(r => r.Verdict != Verdict.NotRun))
        {
            s.Append("\n## (").Append(r.Source.Number).Append(") ").Append(r.Source.Title).Append("\n\n");
            s.Append("The seed's path: ").Append(r.Source.SeedPath).Append(".  \n");
            if (r.Source.Number == 1)
            {
                s.Append("From ").Append(r.Source.FromPod).Append("'s side, as its uid: ").Append(r.Connection).Append(".\n\n");
            }
            else
            {
                s.Append("`waylay explain ").Append(r.Source.FromPod).Append(" --from ").Append(r.Source.FromContainer).Append(" --to ").Append(r.Source.To).Append(" --run`: ")
                    .Append(r.Connection).Append(".\n\n");
            }

            for (var i = 0; i < r.Steps.Count; i++)
            {
                var step = r.Steps[i];
                var mark = step.Observed.Count == 0 ? "" : PathOutcome.NotPicked(step, r.Steps) ? " (not the endpoint picked)"
                    : PathOutcome.Differs(step, r.Steps) ? " **✗ differs**" : " ✓";
                s.Append(i + 1).Append(". **").Append(step.Where).Append("**: ").Append(step.What).Append(mark).Append('\n');
                foreach (var line in step.Details)
                {
                    s.Append("   - ").Append(line).Append('\n');
                }

                foreach (var (check, seen, evidence) in PathOutcome.NotPicked(step, r.Steps) ? [] : step.Observed)
                {
                    s.Append("   - ").Append(seen ? "seen: " : "**not seen**: ").Append(check.Describe()).Append(" — ").Append(evidence).Append('\n');
                }
            }

            var excerpt = r.Excerpt(PacketLines);
            s.Append("\nPackets on ").Append(target).Append("'s interfaces (`tcpdump -i any tcp port …` inside its namespace), ")
                .Append(r.Packets.Count).Append(" line(s)")
                .Append(excerpt.Count < r.Packets.Count ? $", the first {excerpt.Count}{(r.Caller is { } c && excerpt.All(l => l.Contains(c, StringComparison.Ordinal)) ? $" naming {c}" : "")}" : "")
                .Append(":\n\n```\n");
            foreach (var line in excerpt)
            {
                s.Append(line).Append('\n');
            }

            s.Append("```\n\n![the path of (").Append(r.Source.Number).Append(")](").Append(TrafficSvg.FileName(r)).Append(")\n");
        }

        return s.ToString();
    }

    private const int PacketLines = 8;

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);
}
