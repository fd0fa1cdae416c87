using Waylay.Commands;
using System.CommandLine;
using Spectre.Console;
using Waylay.Diagnostics;
using Waylay.Node.State;

namespace Waylay.Cli.Commands.Diagnostics;

/// <summary>
/// The POD argument and --run option every diagnostics command takes (<see cref="PodArgument"/>, resolved by
/// <see cref="PodLookup"/>); and the mapping of what diagnostics can fail with onto the CLI's exit codes (a pod not
/// there: 2; a pod that cannot be read: 1).
/// </summary>
internal sealed class PodTarget
{
    private readonly PodArgument _pod;

    /// <param name="runIsTaken">explain's --run makes the connection (the interface): its run id is --mesh only.</param>
    public PodTarget(bool runIsTaken = false) => _pod = runIsTaken ? new PodArgument("--mesh") : new PodArgument("--run", "--mesh");

    public void AddTo(Command command) => _pod.AddTo(command);

    public RunPod Find(ParseResult parse, string command) => _pod.Find(parse, command);

    public static Task<int> GuardAsync(Func<Task<int>> action) => CliHost.GuardAsync(async () =>
    {
        try
        {
            return await action();
        }
        catch (PodLookupException e)
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
