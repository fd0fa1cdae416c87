using Waylay.Commands;
using System.CommandLine;
using Spectre.Console;
using Waylay.Capture.Explain;
using Waylay.Diagnostics.Connections;
using Waylay.Diagnostics.Conntrack;
using Waylay.Diagnostics.Names;
using Waylay.Diagnostics.Pods;
using Waylay.Diagnostics.Proxy;
using Waylay.Diagnostics.Rules;

namespace Waylay.Cli.Commands.Diagnostics;

/// <summary><c>waylay connections POD</c>: the proxy's live pairs joined with conntrack and the capture rule that took them.</summary>
internal static class ConnectionsCommand
{
    public static Command Create()
    {
        var target = new PodTarget();
        var command = new Command("connections", "Show the sidecar's live connections (its /connections), each with its conntrack entries and the capture rules that redirected it, addresses named.");
        target.AddTo(command);
        command.SetAction((parse, cancellationToken) => PodTarget.GuardAsync(async () =>
        {
            var pod = target.Find(parse, "connections");
            var network = new PodNetwork(pod);
            var names = AddressBook.Of(pod.Run.Directory);
            var capture = PodCapture.Of(pod);
            var app = PodProcess.App(pod);
            var pairs = await ProxyAdmin.ConnectionsAsync(network, cancellationToken);
            var conntrack = await ConntrackTable.ReadAsync(network, cancellationToken);
            var views = ConnectionView.Join(pairs, conntrack, c =>
                capture is not null && ConnectionView.FirstPacket(c, app?.Uid ?? 0, app?.Gid ?? 0) is { } packet
                    ? PacketClassifier.Classify(capture.Plan, packet)
                    : null);
            var console = PodTarget.Console();
            console.MarkupLine(Markup.Escape($"pod {pod} {pod.Address} (run {pod.RunId}): {views.Count} relayed connection(s), {pairs.Count - views.Count} pooled upstream connection(s)"));
            var table = new Table().Border(TableBorder.Simple)
                .AddColumn("id").AddColumn("listener").AddColumn("from").AddColumn("meant for").AddColumn("taken by").AddColumn("sent to").AddColumn("conntrack").AddColumn(new TableColumn("bytes ↑/↓").RightAligned());
            foreach (var v in views)
            {
                var c = v.Pair;
                table.AddRow(
                    c.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    c.Listener ?? c.Direction,
                    Markup.Escape(c.DownstreamRemote is { } d ? names.Describe(d) : "?"),
                    Markup.Escape(c.OriginalDestination is { } o ? names.Describe(o) : "?"),
                    Markup.Escape(v.Capture is { } verdict ? PacketClassifier.Path(verdict) : "(no capture recorded)"),
                    Markup.Escape(c.Endpoint is { } e ? $"{names.Describe(e)}{(c.UpstreamLocal is { } l ? $" from :{l.Port}" : "")}" : "(not connected)"),
                    Markup.Escape(Conntrack(v, names)),
                    $"{c.BytesSent}/{c.BytesReceived}");
            }

            console.Write(table);
            return CliHost.Ok;
        }));
        return command;
    }

    private static string Conntrack(ConnectionView view, AddressBook names)
    {
        var down = view.Downstream is { } d ? $"{d.State} reply from {names.Describe(d.Reply.Source)}" : "downstream: no entry";
        var up = view.Upstream is { } u ? $"; upstream {u.State}" : view.Pair.Endpoint is null ? "" : "; upstream: no entry";
        return down + up;
    }
}
