using System.CommandLine;
using System.Text.Json.Nodes;
using Spectre.Console;
using Waylay.Commands;
using Waylay.Diagnostics.Proxy;
using Waylay.Node.State;

namespace Waylay.Cli.Commands.Diagnostics;

/// <summary>
/// <c>waylay proxy-status</c>: every sidecar of the run with its config versions per type, as the control plane sent
/// them and as the proxy ACKed and runs them (istioctl proxy-status).
/// </summary>
internal static class ProxyStatusCommand
{
    public static Command Create()
    {
        var pod = new Argument<string?>("pod") { Description = "Only this pod (name, unique prefix or app label)", Arity = ArgumentArity.ZeroOrOne };
        var run = new Option<string?>("--run", "--mesh") { Description = "The run (waylay up --run ID); default: the only live one" };
        var output = ConfigOutput.Option();
        var command = new Command("proxy-status", "Show every sidecar's config sync with the control plane: per type (services, routes, clusters, endpoints, workloads) SYNCED, STALE or NACK, from the control plane's /debug/syncz and each proxy's /config_dump (istioctl proxy-status).")
        {
            pod, run, output,
        };
        command.SetAction((parse, cancellationToken) => PodTarget.GuardAsync(async () =>
        {
            var directory = PodLookup.RunDirectory(parse.GetValue(run));
            var name = parse.GetValue(pod);
            var only = name is null ? null : PodLookup.Find(directory, name);
            var status = await ProxyStatus.ReadAsync(directory, cancellationToken);
            if (only is not null)
            {
                var rows = (status["proxies"] as JsonArray ?? []).Where(p => (string?)p?["name"] == only.Name).Select(p => p!.DeepClone()).ToArray();
                if (rows.Length == 0)
                {
                    throw new UsageException($"proxy-status {name}: pod {only} has no sidecar fed by the control plane; see: waylay proxy-status");
                }

                status["proxies"] = new JsonArray(rows);
            }

            if (ConfigOutput.TryWriteStructured(parse.GetValue(output).Value, status))
            {
                return CliHost.Ok;
            }

            var console = PodTarget.Console();
            console.MarkupLine(Markup.Escape($"control plane {status["controlPlane"]} at version {status["version"]} (run {Path.GetFileName(directory)})"));
            var table = new Table().Border(TableBorder.Simple).AddColumn("NAME");
            foreach (var (_, column) in ProxyStatus.Types)
            {
                table.AddColumn(column);
            }

            table.AddColumn("CONTROL PLANE").AddColumn("VERSION");
            var problems = new List<string>();
            foreach (var proxy in (status["proxies"] as JsonArray ?? []).OfType<JsonObject>())
            {
                var cells = new List<string> { $"{proxy["name"]}.{proxy["namespace"]}" };
                foreach (var (type, _) in ProxyStatus.Types)
                {
                    var state = proxy["types"]![type]!;
                    cells.Add($"{state["status"]}{(state["running"] is { } running ? $" ({running})" : "")}");
                    if (state["nackError"] is { } error)
                    {
                        problems.Add($"{proxy["name"]} NACKed {type} version {state["sent"]}: {error}");
                    }
                }

                cells.Add((string?)status["controlPlane"] ?? "");
                cells.Add((string?)proxy["runningVersion"] ?? "");
                if (proxy["error"] is { } failure)
                {
                    problems.Add($"{proxy["name"]}: {failure}");
                }

                table.AddRow([.. cells.Select(Markup.Escape)]);
            }

            console.Write(table);
            foreach (var problem in problems)
            {
                console.MarkupLine(Markup.Escape(problem));
            }

            return CliHost.Ok;
        }));
        return command;
    }
}
