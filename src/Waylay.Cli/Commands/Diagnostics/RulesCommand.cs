using Waylay.Commands;
using System.CommandLine;
using Spectre.Console;
using Waylay.Capture.Plan;
using Waylay.Diagnostics.Rules;

namespace Waylay.Cli.Commands.Diagnostics;

/// <summary><c>waylay rules POD [--watch | --diff]</c>: the pod's nat and mangle rules with counters and reasons (Waylay.Diagnostics/Rules).</summary>
internal static class RulesCommand
{
    public static Command Create()
    {
        var target = new PodTarget();
        var watch = new Option<bool>("--watch") { Description = "Read the counters again every --interval and show what each rule counted since the last read" };
        var interval = new Option<double>("--interval") { Description = "Seconds between reads with --watch (default 1)", DefaultValueFactory = _ => 1 };
        var count = new Option<int>("--count") { Description = "With --watch: stop after this many reads (default: until Ctrl-C)" };
        var diff = new Option<bool>("--diff") { Description = "Compare with the rules the pod's injected capture flags plan; exit 1 when they differ" };
        var command = new Command("rules", "Show a pod's capture rules as the kernel holds them (iptables and ip6tables, or native nftables), with packet/byte counters and why each rule exists.");
        target.AddTo(command);
        command.Options.Add(watch);
        command.Options.Add(interval);
        command.Options.Add(count);
        command.Options.Add(diff);
        command.SetAction((parse, cancellationToken) => PodTarget.GuardAsync(async () =>
        {
            var pod = target.Find(parse, "rules");
            var console = PodTarget.Console();
            var rules = await PodRules.ReadAsync(pod, cancellationToken);
            console.MarkupLine(Markup.Escape($"pod {pod} {pod.Address} (run {pod.RunId}), read with {rules.Kernel.Source} in {pod.Record.Namespace}"));
            console.MarkupLine(Markup.Escape(rules.Capture is { } c ? $"capture: {c.Container} {string.Join(' ', c.Argv.Select(Quote))}" : "capture: none recorded (not injected): every rule is shown as not Waylay's"));
            if (parse.GetValue(diff))
            {
                return Diff(console, rules);
            }

            if (!parse.GetValue(watch))
            {
                console.Write(Table(rules.Rules.Select(r => (r, r.Kernel.Packets, r.Kernel.Bytes)), "packets", "bytes"));
                return CliHost.Ok;
            }

            var rounds = parse.GetValue(count);
            var period = TimeSpan.FromSeconds(Math.Max(0.1, parse.GetValue(interval)));
            for (var round = 1; rounds <= 0 || round <= rounds; round++)
            {
                await Task.Delay(period, TimeProvider.System, cancellationToken);
                var now = await PodRules.ReadAsync(pod, cancellationToken);
                console.MarkupLine(Markup.Escape($"{DateTime.Now:HH:mm:ss} counted in the last {period.TotalSeconds:0.#} s:"));
                console.Write(Table(now.Since(rules), "Δ packets", "Δ bytes"));
                rules = now;
            }

            return CliHost.Ok;
        }));
        return command;
    }

    /// <summary>An argument as a shell would need it ('*', '' and the like quoted), so the line can be pasted.</summary>
    private static string Quote(string argument) =>
        argument.Length > 0 && argument.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ',' or '/' or ':' or '=')
            ? argument
            : "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static Table Table(IEnumerable<(AnnotatedRule Rule, ulong Packets, ulong Bytes)> rows, string packets, string bytes)
    {
        var table = new Table().Border(TableBorder.Simple)
            .AddColumn("table").AddColumn("chain").AddColumn(new TableColumn("#").RightAligned())
            .AddColumn(new TableColumn(packets).RightAligned()).AddColumn(new TableColumn(bytes).RightAligned())
            .AddColumn("rule").AddColumn("why");
        foreach (var (rule, p, b) in rows)
        {
            var k = rule.Kernel;
            var why = rule.Planned is null ? $"[yellow]{Markup.Escape(rule.Reason)}[/]" : Markup.Escape(rule.Reason);
            table.AddRow(k.Where, k.Chain, k.Number.ToString(System.Globalization.CultureInfo.InvariantCulture),
                p.ToString(System.Globalization.CultureInfo.InvariantCulture), b.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Markup.Escape(k.Body), why);
        }

        return table;
    }

    private static int Diff(IAnsiConsole console, PodRules rules)
    {
        var lines = rules.Diff();
        var table = new Table().Border(TableBorder.Simple).AddColumn(" ").AddColumn("table").AddColumn("chain").AddColumn("rule").AddColumn("why");
        foreach (var line in lines)
        {
            var (mark, colour) = line.Kind switch
            {
                DiffKind.Missing => ("-", "red"),
                DiffKind.Foreign => ("+", line.Drift ? "red" : "yellow"),
                _ => (" ", "default"),
            };
            table.AddRow($"[{colour}]{mark}[/]", line.Where, line.Chain, $"[{colour}]{Markup.Escape(line.Text)}[/]", Markup.Escape(line.Why));
        }

        console.Write(table);
        var drift = lines.Where(l => l.Drift).ToList();
        if (drift.Count == 0)
        {
            console.MarkupLine("no drift: the kernel holds exactly the planned rules, in order");
            return CliHost.Ok;
        }

        console.MarkupLine(Markup.Escape(
            $"drift: {drift.Count(l => l.Kind == DiffKind.Missing)} planned rule(s) missing, {drift.Count(l => l.Kind == DiffKind.Foreign)} foreign rule(s) where they change the capture; " +
            "re-run the pod's capture (waylay capture --netns NS with the flags above) or remove the foreign rules"));
        return CliHost.Failure;
    }
}
