using Waylay.Commands;
using System.CommandLine;
using Spectre.Console;
using Waylay.Diagnostics.Explain;
using Waylay.Diagnostics.Pods;
using Waylay.Node.State;

namespace Waylay.Cli.Commands.Diagnostics;

/// <summary>
/// <c>waylay explain POD --from app|sidecar|POD[/container] --to URL|HOST:PORT [--run]</c>: the predicted path of a
/// connection (Waylay.Diagnostics/Explain/PathPlanner.cs), confirmed step by step with --run (PathRun.cs).
/// </summary>
internal static class PathExplainCommand
{
    public static Command Create()
    {
        var target = new PodTarget(runIsTaken: true);
        var from = new Option<string>("--from") { Description = "Who connects: app or sidecar (of POD), or another pod's name[/container]", DefaultValueFactory = _ => "app" };
        var to = new Option<string>("--to") { Description = "Where to: a URL (http://details:9080/) or HOST:PORT (details:9080, 127.0.0.1:9080)", Required = true };
        var run = new Option<bool>("--run") { Description = "Make the connection for real (inside the pod's namespace, as the container's uid) and confirm each step" };
        var command = new Command("explain", "Explain the path a connection from a pod takes: DNS, capture rules, proxy, node, the peer's inbound side.");
        target.AddTo(command);
        command.Options.Add(from);
        command.Options.Add(to);
        command.Options.Add(run);
        command.SetAction((parse, cancellationToken) => PodTarget.GuardAsync(async () =>
        {
            var pod = target.Find(parse, "explain");
            var (source, process) = Source(pod, parse.GetValue(from)!);
            var destination = Destination.Resolve(parse.GetValue(to)!, source);
            var steps = await PathPlanner.PredictAsync(source, process, destination, cancellationToken);
            var console = PodTarget.Console();
            console.MarkupLine(Markup.Escape($"from {source} {process.Container} (uid {process.Uid}, gid {process.Gid}) to {destination.Given}"));
            if (!parse.GetValue(run))
            {
                Render(console, steps, confirmed: false);
                return CliHost.Ok;
            }

            var (observed, connection) = await PathRun.ConfirmAsync(source, process, destination, steps, TimeProvider.System, cancellationToken);
            console.MarkupLine(Markup.Escape($"--run: {connection}"));
            var mismatches = Render(console, observed, confirmed: true);
            console.MarkupLine(mismatches == 0 ? "[green]every step confirmed[/]" : $"[red]{mismatches} step(s) where reality differs from the prediction[/]");
            return mismatches == 0 ? CliHost.Ok : CliHost.Failure;
        }));
        return command;
    }

    private static (RunPod Pod, PodProcess Process) Source(RunPod pod, string from)
    {
        if (from is "app" or "sidecar")
        {
            var processes = PodProcess.Of(pod);
            var process = from == "app" ? processes.FirstOrDefault(p => !p.IsProxy) : processes.FirstOrDefault(p => p.IsProxy);
            return (pod, process ?? throw new PodLookupException($"--from {from}: pod {pod.Name} has no running {(from == "app" ? "app container" : "sidecar (waylay-proxy)")}; its containers: {string.Join(", ", processes.Select(p => p.Container))}"));
        }

        var parts = from.Split('/', 2);
        var other = PodLookup.Find(pod.Run.Directory, parts[0]);
        var all = PodProcess.Of(other);
        var chosen = parts.Length == 2 ? all.FirstOrDefault(p => p.Container == parts[1]) : all.FirstOrDefault(p => !p.IsProxy);
        return (other, chosen ?? throw new PodLookupException($"--from {from}: pod {other.Name} has no running container {(parts.Length == 2 ? parts[1] : "besides the proxy")}; its containers: {string.Join(", ", all.Select(p => p.Container))}"));
    }

    private static int Render(IAnsiConsole console, IReadOnlyList<PathStep> steps, bool confirmed)
    {
        for (var i = 0; i < steps.Count; i++)
        {
            var step = steps[i];
            var notPicked = confirmed && PathOutcome.NotPicked(step, steps);
            var mark = !confirmed || step.Observed.Count == 0 ? "" : notPicked ? " [grey](not the endpoint picked)[/]"
                : PathOutcome.Differs(step, steps) ? " [red]✗ differs[/]" : " [green]✓ confirmed[/]";
            console.MarkupLine($"[bold]{i + 1}. {Markup.Escape(step.Where)}[/]: {Markup.Escape(step.What)}{mark}");
            foreach (var line in step.Details)
            {
                console.MarkupLine($"     {Markup.Escape(line)}");
            }

            foreach (var (check, seen, evidence) in notPicked ? [] : step.Observed)
            {
                console.MarkupLine($"     {(seen ? "[green]seen[/]" : "[red]not seen[/]")} {Markup.Escape(check.Describe())}: {Markup.Escape(evidence)}");
            }
        }

        return PathOutcome.Mismatches(steps);
    }
}
