using System.CommandLine;
using Waylay.Samples.Bookinfo;

// Parse (BookinfoCommand), then serve the chosen role (BookinfoApp) until SIGTERM/SIGINT.
return await BookinfoCommand.Create(Environment.GetEnvironmentVariable).Parse(args).InvokeAsync();
