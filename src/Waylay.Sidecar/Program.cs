using System.CommandLine;
using Waylay.Commands;

// waylay-proxy: `proxy …` (and `proxy wait-ready`) and `capture …` (and `capture explain`), the same command objects
// as the `waylay` CLI's (src/Waylay.Commands), so the two accept exactly the same arguments. These are the two a pod
// start waits for.
// `control …` and `webhook …` (the install manifests' args to the image's `waylay`) go to waylay-control beside it.
Waylay.Sidecar.ControlHandOff.ExecIfControl(args);
var root = new RootCommand("Waylay sidecar and init container (NativeAOT): 'waylay-proxy proxy …' and 'waylay-proxy capture …' take the arguments of 'waylay proxy …' and 'waylay capture …'.")
{
    ProxyCommand.Create(),
    CaptureCommand.Create(),
};

return await CliHost.RunAsync(root, args);
