using System.CommandLine;

namespace Waylay.Cli;

/// <summary>Runs a command tree with Waylay's exit-code contract: 0 ok, 1 failure, 2 usage error.</summary>
internal static class CliHost
{
    public const int Ok = 0;
    public const int Failure = 1;
    public const int UsageError = 2;

    public static async Task<int> RunAsync(RootCommand root, string[] args)
    {
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                Console.Error.WriteLine($"waylay: {error.Message}");
            }

            var command = parse.CommandResult.Command;
            Console.Error.WriteLine($"Run '{CommandPath(command, parse)} --help' for usage.");
            return UsageError;
        }

        using var cts = new CancellationTokenSource();
        return await parse.InvokeAsync(new InvocationConfiguration(), cts.Token);
    }

    /// <summary>Maps the failures a user can act on to messages and exit codes; anything else is a bug and keeps its trace.</summary>
    public static async Task<int> GuardAsync(Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"waylay: {e.Message}");
            return UsageError;
        }
        catch (Waylay.Capture.Apply.CaptureException e)
        {
            Console.Error.WriteLine($"waylay: {e.Message}");
            return Failure;
        }
    }

    private static string CommandPath(Command command, ParseResult parse)
    {
        var names = new List<string>();
        for (var result = parse.CommandResult; result is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
        {
            names.Add(result.Command is RootCommand ? "waylay" : result.Command.Name);
        }

        names.Reverse();
        return string.Join(' ', names);
    }
}

/// <summary>An error the user can fix: printed without a stack trace, exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
