using System.CommandLine;

namespace Waylay.Commands;

/// <summary>
/// Runs a command tree with Waylay's exit-code contract, the same for every command (README's "Exit codes"):
/// <list type="bullet">
/// <item><b>0</b>: done.</item>
/// <item><b>2</b>, a usage error: what the user gave cannot be used: an unknown flag or command, a malformed value
/// (address, port, duration, choice), a missing flag, or a file or namespace named on the command line that does not
/// exist, cannot be read or written, or whose content is invalid (YAML, PEM, mesh.yaml). Nothing was changed.</item>
/// <item><b>1</b>, a failure: the input was fine but the world refused: the kernel rejected the rules, a port is
/// taken, a verify found a difference, the proxy was not ready in time.</item>
/// </list>
/// Both print one or more lines <c>waylay…: &lt;problem&gt;; &lt;fix&gt;</c> on stderr and no stack trace; an exception
/// that still escapes is a bug (System.CommandLine prints it and exits 1).
/// </summary>
internal static class CliHost
{
    public const int Ok = 0;
    public const int Failure = 1;
    public const int UsageError = 2;

    public static async Task<int> RunAsync(RootCommand root, string[] args)
    {
        // No response files: Istio's flags have none, an argument starting with '@' stays what it says, and
        // System.CommandLine's reader let an unreadable one (`@/tmp`) escape as an unhandled exception.
        var parse = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
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
        catch (FailureException e)
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
            names.Add(result.Command.Name); // the root's is the executable's: waylay, or waylay-proxy
        }

        names.Reverse();
        return string.Join(' ', names);
    }
}

/// <summary>An error in what the user gave (a flag, a value, a file named on the command line): printed without a stack trace, exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>Good input the world refused (a port taken, a write that failed): printed without a stack trace, exit code 1.</summary>
internal sealed class FailureException(string message) : Exception(message);
