using Waylay.Commands;
using System.CommandLine;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Waylay.Node.State;
using Waylay.Node.Up;

namespace Waylay.Cli.Commands;

/// <summary><c>waylay exec POD [-c C] -- CMD…</c>: a command in a running pod's container, as <c>kubectl exec</c> (<see cref="PodExec"/>).</summary>
internal static class ExecCommand
{
    public static Command Create()
    {
        var pod = new PodArgument();
        var container = PodArgument.Container();
        var argv = new Argument<string[]>("command") { Description = "The command and its arguments (after --)", Arity = ArgumentArity.OneOrMore };
        var command = new Command("exec", "Run a command in a pod's container: its namespaces, uid/gid and environment; stdin/stdout/stderr attached, its exit code returned.");
        pod.AddTo(command);
        command.Options.Add(container);
        command.Arguments.Add(argv);
        // kubectl's habit (exec -it): stdin and the terminal are always the caller's here, so the flags change nothing.
        command.Options.Add(new Option<bool>("--stdin", "-i") { Description = "Accepted as kubectl's; stdin is always attached" });
        command.Options.Add(new Option<bool>("--tty", "-t") { Description = "Accepted as kubectl's; the caller's terminal is always the command's" });
        command.SetAction((parse, ct) => CliHost.GuardAsync(async () =>
        {
            var found = pod.Find(parse, "exec");
            ProcessStartInfo start;
            try
            {
                start = PodExec.Prepare(found, parse.GetValue(container), parse.GetValue(argv)!);
            }
            catch (PodLookupException e)
            {
                throw new UsageException($"exec: {e.Message}");
            }

            // Ctrl-C reaches the command too (same process group): let it decide, and report how it ended.
            using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => c.Cancel = true);
            using var process = Process.Start(start) ?? throw new FailureException($"exec: could not start {start.FileName}");
            await process.WaitForExitAsync(CancellationToken.None);
            return process.ExitCode;
        }));
        return command;
    }
}
