using System.CommandLine;
using Waylay.Cli.Commands;
using Waylay.Commands;

// waylay-control: `control …` and `webhook …`, the same command files as the `waylay` CLI's, so the install
// manifests' args (`control --in-cluster …`, `webhook --cert …`) run unchanged in the image.
var root = new RootCommand("Waylay control plane and injection webhook (NativeAOT): 'waylay-control control …' and 'waylay-control webhook …' take the arguments of 'waylay control …' and 'waylay webhook …'.")
{
    ControlCommand.Create(),
    WebhookCommand.Create(),
};

return await CliHost.RunAsync(root, args);
