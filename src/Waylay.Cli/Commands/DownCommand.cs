using System.CommandLine;
using Waylay.Node.Up;
using Waylay.Commands;

namespace Waylay.Cli.Commands;

/// <summary><c>waylay down</c>: stops a run's supervisor and removes everything the run made (<see cref="RunDown"/>).</summary>
internal static class DownCommand
{
    public static Command Create()
    {
        var run = new Argument<string?>("run") { Description = "The run to remove (default: the only live one)", Arity = ArgumentArity.ZeroOrOne };
        var all = new Option<bool>("--all") { Description = $"Remove every run under {RunIds.StateRoot}" };
        var command = new Command("down", "Stop a 'waylay up' run and remove everything it made (also after a crash).") { run, all };
        command.SetAction((parse, ct) => CliHost.GuardAsync(async () =>
        {
            IReadOnlyList<string> runs = parse.GetValue(all)
                ? RunDown.Runs(RunIds.StateRoot)
                : parse.GetValue(run) is { } given ? [RunIds.Parse(given)] : RunIds.Only("down") is { } only ? [only] : [];
            if (runs.Count == 0)
            {
                Console.WriteLine($"nothing to remove: no run under {RunIds.StateRoot}");
                return CliHost.Ok;
            }

            foreach (var id in runs)
            {
                try
                {
                    var removed = await RunDown.DownAsync(Path.Combine(RunIds.StateRoot, id), null, ct);
                    Console.WriteLine(removed ? $"run {id}: removed" : $"run {id}: nothing to remove (no {Path.Combine(RunIds.StateRoot, id)})");
                }
                catch (InvalidOperationException e)
                {
                    throw new FailureException($"down: {e.Message}");
                }
            }

            return CliHost.Ok;
        }));
        return command;
    }
}
