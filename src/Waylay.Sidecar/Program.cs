using System.CommandLine;
using Waylay.Cli;
using Waylay.Cli.Commands;

// waylay-proxy: only `proxy …` and `proxy wait-ready`, the same command objects as the `waylay` CLI's, so the two
// accept exactly the same arguments.
var root = new RootCommand("Waylay sidecar proxy (NativeAOT): run as 'waylay-proxy proxy …', the arguments of 'waylay proxy …'.")
{
    ProxyCommand.Create(),
};

return await CliHost.RunAsync(root, args);
