using System.CommandLine;
using Waylay.Samples.Bookinfo;

// Parse (BookinfoCommand), then serve the chosen role (BookinfoApp) until SIGTERM/SIGINT. A command line that does not
// parse is a usage error: exit code 2, like every other bad setting.
var parse = BookinfoCommand.Create(Environment.GetEnvironmentVariable).Parse(args);
if (parse.Errors.Count > 0)
{
    foreach (var error in parse.Errors)
    {
        await Console.Error.WriteLineAsync($"bookinfo: {error.Message} (bookinfo --help shows the usage)");
    }

    return 2;
}

return await parse.InvokeAsync();
