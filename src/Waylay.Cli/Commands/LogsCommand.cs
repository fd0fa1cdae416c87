using Waylay.Commands;
using System.CommandLine;
using Waylay.Node.State;
using Waylay.Node.Up;

namespace Waylay.Cli.Commands;

/// <summary><c>waylay logs POD [-c C] [-f]</c>: a container's output, across its restarts (<see cref="PodLogs"/>).</summary>
internal static class LogsCommand
{
    public static Command Create()
    {
        var pod = new PodArgument();
        var container = PodArgument.Container();
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing as the container writes (also across restarts), until Ctrl-C or the pod is gone" };
        var command = new Command("logs", "Print a pod's container's stdout and stderr.");
        pod.AddTo(command);
        command.Options.Add(container);
        command.Options.Add(follow);
        command.SetAction((parse, ct) => CliHost.GuardAsync(async () =>
        {
            var found = pod.Find(parse, "logs");
            string path;
            try
            {
                path = PodLogs.File(found, parse.GetValue(container));
            }
            catch (PodLookupException e)
            {
                throw new UsageException($"logs: {e.Message}");
            }

            await using var output = Console.OpenStandardOutput();
            try
            {
                await PodLogs.CopyAsync(path, output, parse.GetValue(follow), ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
            }

            return CliHost.Ok;
        }));
        return command;
    }
}
