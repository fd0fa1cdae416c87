using System.CommandLine;
using Waylay.Node.Up;
using Waylay.Commands;

namespace Waylay.Cli.Commands;

/// <summary><c>waylay ps</c>: a run's pods (phase, readiness, IP, node) as its supervisor last wrote them.</summary>
internal static class PsCommand
{
    public static Command Create()
    {
        var run = new Argument<string?>("run") { Description = "The run to show (default: the only live one)", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("ps", "List the pods of a 'waylay up' run.") { run };
        command.SetAction((parse, _) => CliHost.GuardAsync(() =>
        {
            var id = parse.GetValue(run) is { } given ? RunIds.Parse(given) : RunIds.Only("ps");
            if (id is null)
            {
                Console.WriteLine("no run is live; start one with: waylay up samples/bookinfo");
                return Task.FromResult(CliHost.Ok);
            }

            var directory = Path.Combine(RunIds.StateRoot, id);
            var status = MeshStatus.TryRead(directory)
                ?? throw new UsageException($"ps: no run {id} (no {MeshStatus.File(directory)}); list the runs with: ls {RunIds.StateRoot}");
            var supervisor = MeshStatus.Supervisor(directory);
            var alive = supervisor?.IsAlive == true;
            Console.WriteLine($"run {id}: {status.Phase}{(alive ? "" : " (supervisor not running: the pods are no longer watched; waylay down " + id + ")")}{(status.Url is null ? "" : "  " + status.Url)}");
            Console.Write(PodTable.Render(status.Pods));
            return Task.FromResult(CliHost.Ok);
        }));
        return command;
    }
}
