using System.CommandLine;
using Waylay.Cli;
using Waylay.Cli.Commands;

// Only the proxy: `waylay proxy …` and `waylay proxy wait-ready`, compiled ahead of time.
var root = new RootCommand("Waylay sidecar proxy (NativeAOT build).")
{
    ProxyCommand.Create(),
};

return await CliHost.RunAsync(root, args);
