using System.CommandLine;
using Waylay.Cli;
using Waylay.Cli.Commands;
using Waylay.Commands;
using Waylay.Cli.Commands.Diagnostics;

// The composition root: every command is built in its own file (the sidecar's proxy and capture in Waylay.Commands,
// which the NativeAOT waylay-proxy shares; the rest under Commands/); this file only assembles them and maps parse
// errors to exit code 2 (usage) as the CLI contract says. `waylay proxy …` first goes to the NativeAOT sidecar when it
// is installed beside this binary (SidecarHandOff.cs).
SidecarHandOff.ExecIfInstalled(args);
var root = new RootCommand("Waylay: a service mesh sidecar whose traffic path you can see, test and trust.")
{
    CaptureCommand.Create(),
    ProxyCommand.Create(),
    InjectCommand.Create(), WebhookCommand.Create(), ControlCommand.Create(),
    UpCommand.Create(), DownCommand.Create(), PsCommand.Create(),
    ExecCommand.Create(), LogsCommand.Create(), ApplyCommand.Apply(), ApplyCommand.Delete(),
    RulesCommand.Create(), ConntrackCommand.Create(), ConnectionsCommand.Create(), TcpdumpCommand.Create(), PathExplainCommand.Create(),
    ProxyConfigCommand.Create(), ProxyStatusCommand.Create(),
    ExperimentCommand.Create(), ImageCommand.Create(), InstallCommand.Install(), InstallCommand.Uninstall(),
};

return await CliHost.RunAsync(root, args);
