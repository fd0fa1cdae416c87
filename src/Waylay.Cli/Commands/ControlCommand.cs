using System.CommandLine;
using Microsoft.Extensions.Logging;
using Waylay.Commands;
using Waylay.Control;
using Waylay.Control.Install;
using Waylay.Inject.Values;

namespace Waylay.Cli.Commands;

/// <summary>
/// <c>waylay control [-f PATH…] [--kubeconfig F | --in-cluster]</c> runs the control plane (Waylay.Control);
/// <c>waylay control manifests</c> prints what installs it in a cluster.
/// </summary>
internal static class ControlCommand
{
    public static Command Create()
    {
        var files = new Option<string[]>("-f", "--filename")
        {
            Description = "Manifest files or directories (Services, EndpointSlices, Pods, VirtualServices, DestinationRules, Sidecars; or Waylay's mesh.yaml), watched for changes",
            HelpName = "path",
            AllowMultipleArgumentsPerToken = false,
        };
        var kubeconfig = new Option<string?>("--kubeconfig") { Description = "Watch a Kubernetes cluster through this kubeconfig", HelpName = "path" };
        var inCluster = new Option<bool>("--in-cluster") { Description = "Watch the cluster this pod runs in (its service account)" };
        var ns = new Option<string[]>("--watch-namespace") { Description = "Watch only these namespaces of the cluster (default: all)", HelpName = "name" };
        var port = CliOption.Port("--port", null, 15010, "Discovery (gRPC: the proxies' stream and pod registrations)");
        var debugPort = CliOption.Port("--debug-port", null, 15014, "Debug and metrics (/debug/syncz, /debug/configz, /metrics)");
        var listen = CliOption.Address("--listen", "Address to bind both ports on (default: all)");
        var debounce = CliOption.Duration("--debounce", null, TimeSpan.FromMilliseconds(100), "Changes within this quiet period are pushed together (istiod's PILOT_DEBOUNCE_AFTER)");
        var poll = CliOption.Duration("--poll-interval", null, TimeSpan.FromSeconds(1), "How often the -f files are checked for a change (by content)");
        var logLevel = CliOption.Choice("--log-level", "info", "The least severe messages logged",
            ("debug", LogLevel.Debug, []), ("info", LogLevel.Information, []), ("warn", LogLevel.Warning, ["warning"]), ("error", LogLevel.Error, []));
        var command = new Command("control", "Run the control plane: turn Services, endpoints and Istio's routing rules into config and stream it to every sidecar (gRPC on 15010).")
        {
            files, kubeconfig, inCluster, ns, port, debugPort, listen, debounce, poll, logLevel,
        };
        command.SetAction((parse, ct) => CliHost.GuardAsync(async () =>
        {
            var options = new ControlOptions(parse.GetValue(files) ?? [], parse.GetValue(kubeconfig), parse.GetValue(inCluster))
            {
                Port = parse.GetValue(port),
                DebugPort = parse.GetValue(debugPort),
                Listen = parse.GetValue(listen) ?? System.Net.IPAddress.IPv6Any,
                Debounce = parse.GetValue(debounce).Value,
                FilePollInterval = parse.GetValue(poll).Value,
                Namespaces = parse.GetValue(ns) ?? [],
            };
            return await WaylayControl.RunAsync(options, parse.GetValue(logLevel).Value, Console.Error, ct);
        }));
        command.Subcommands.Add(Manifests());
        return command;
    }

    private static Command Manifests()
    {
        var ns = CliOption.KubernetesName("--namespace", "waylay-system", "Namespace to install the control plane into");
        var command = new Command("manifests", "Print the Namespace, ServiceAccount, ClusterRole (read-only), ClusterRoleBinding, Deployment and Service that install the control plane.")
        {
            ns,
        };
        command.SetAction(async (parse, ct) =>
        {
            var values = InjectionValues.Default;
            await Console.Out.WriteAsync(ControlManifests.Render(parse.GetValue(ns)!, values.Image, values.ImagePullPolicy));
            return CliHost.Ok;
        });
        return command;
    }
}
