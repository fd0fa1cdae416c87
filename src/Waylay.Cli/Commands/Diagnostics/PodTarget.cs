using Waylay.Commands;
using System.CommandLine;
using Spectre.Console;
using Waylay.Diagnostics;
using Waylay.Node.State;

namespace Waylay.Cli.Commands.Diagnostics;

/// <summary>
/// The POD argument and --run option every diagnostics command takes, resolved by <see cref="RunPods"/>; and the
/// mapping of what diagnostics can fail with onto the CLI's exit codes (a pod not there: 2; a pod that cannot be
/// read: 1).
/// </summary>
internal sealed class PodTarget
{
    public Argument<string> Pod { get; } = new("pod") { Description = "The pod: its name, a unique prefix of it, or its app label (e.g. productpage)" };

    /// <param name="runIsTaken">explain's --run makes the connection (the interface): its run id is --mesh only.</param>
    public PodTarget(bool runIsTaken = false) =>
        Run = runIsTaken ? new Option<string?>("--mesh") { Description = RunHelp } : new Option<string?>("--run", "--mesh") { Description = RunHelp };

    private const string RunHelp = "The run (waylay up --run ID); default: the only live one";

    public Option<string?> Run { get; }

    public void AddTo(Command command)
    {
        command.Arguments.Add(Pod);
        command.Options.Add(Run);
    }

    public RunPod Find(ParseResult parse, string command) =>
        RunPods.Find(RunPods.RunDirectory(parse.GetValue(Run), command), parse.GetValue(Pod)!);

    public string RunDirectory(ParseResult parse, string command) => RunPods.RunDirectory(parse.GetValue(Run), command);

    public static Task<int> GuardAsync(Func<Task<int>> action) => CliHost.GuardAsync(async () =>
    {
        try
        {
            return await action();
        }
        catch (RunPodException e)
        {
            throw new UsageException(e.Message);
        }
        catch (DiagnosticsException e)
        {
            throw new FailureException(e.Message);
        }
    });

    /// <summary>Spectre's console; piped output gets a wide page instead of 80 columns, so rules stay on one line.</summary>
    public static IAnsiConsole Console()
    {
        var console = AnsiConsole.Console;
        if (System.Console.IsOutputRedirected)
        {
            console.Profile.Width = 512;
        }

        return console;
    }
}
