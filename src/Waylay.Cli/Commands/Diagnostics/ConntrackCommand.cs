using Waylay.Commands;
using System.CommandLine;
using Spectre.Console;
using Waylay.Diagnostics.Conntrack;
using Waylay.Diagnostics.Names;
using Waylay.Diagnostics.Pods;

namespace Waylay.Cli.Commands.Diagnostics;

/// <summary><c>waylay conntrack POD</c>: the pod's conntrack entries, redirected ones marked, grouped by where they went.</summary>
internal static class ConntrackCommand
{
    public static Command Create()
    {
        var target = new PodTarget();
        var command = new Command("conntrack", "Show the connections the kernel tracks in a pod's network namespace; flows the capture redirected are marked → proxy :PORT.");
        target.AddTo(command);
        command.SetAction((parse, cancellationToken) => PodTarget.GuardAsync(async () =>
        {
            var pod = target.Find(parse, "conntrack");
            var names = AddressBook.Of(pod.Run.Directory);
            var entries = await ConntrackTable.ReadAsync(new PodNetwork(pod), cancellationToken);
            var console = PodTarget.Console();
            console.MarkupLine(Markup.Escape($"pod {pod} {pod.Address} (run {pod.RunId}): {entries.Count} tracked connection(s)"));
            foreach (var group in ConntrackGroup.Of(entries, pod.Address))
            {
                console.MarkupLine($"[bold]to {Markup.Escape(names.Describe(group.Destination))}[/]");
                var table = new Table().Border(TableBorder.None).AddColumn("proto").AddColumn("state").AddColumn("original").AddColumn("reply").AddColumn("");
                foreach (var e in group.Entries)
                {
                    var mark = e.RedirectedTo is { } to ? $"[green]→ proxy :{to.Port}[/]" : "";
                    table.AddRow(e.Protocol, e.State ?? "", Markup.Escape($"{names.Describe(e.Original.Source)} → {names.Describe(e.Original.Destination)}"),
                        Markup.Escape($"{names.Describe(e.Reply.Source)} → {names.Describe(e.Reply.Destination)}"), mark);
                }

                console.Write(table);
            }

            return CliHost.Ok;
        }));
        return command;
    }
}
