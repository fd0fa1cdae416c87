using System.CommandLine;
using k8s;
using Waylay.Commands;
using Waylay.Control.Install;
using Waylay.Control.Sources.Kubernetes;
using Waylay.Inject.Values;

namespace Waylay.Cli.Commands;

/// <summary>
/// <c>waylay install [--namespace N] [--image REF] [--cert-manager] [--apply [--kubeconfig F]]</c> prints (or applies)
/// what runs Waylay in a cluster; <c>waylay uninstall [--namespace N] [--kubeconfig F] [--dry-run]</c> removes it.
/// The work is in Waylay.Control.Install.
/// </summary>
internal static class InstallCommand
{
    public static Command Install()
    {
        var ns = CliOption.KubernetesName("--namespace", InstallOptions.DefaultNamespace, "Namespace to install the control plane and the webhook into");
        var image = new Option<string>("--image")
        {
            Description = "Image the control plane, the webhook and every injected sidecar run (default: the injector's, what 'waylay image build' names its image)",
            HelpName = "ref",
            DefaultValueFactory = _ => InjectionValues.Default.Image,
        };
        image.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string>() is { } text && !ImageReference.IsValid(text))
            {
                result.AddError($"--image: '{text}' is not an image reference; write it like registry.example.com/waylay/waylay:1.0 (lowercase name, optional :tag and @sha256:digest)");
            }
        });
        var certManager = new Option<bool>("--cert-manager") { Description = "Have cert-manager issue the webhook's certificate and fill its caBundle (default: generate a CA and the certificate here)" };
        var apply = new Option<bool>("--apply") { Description = "Apply to the cluster (server-side apply, in dependency order; safe to repeat) instead of printing" };
        var kubeconfig = Kubeconfig();
        var timeout = CliOption.Duration("--timeout", null, TimeSpan.FromMinutes(5), "With --apply: how long to wait for the webhook to serve before registering it");
        var command = new Command("install", "Print (or --apply) everything a cluster needs to run Waylay: namespace, control plane, sidecar-injection webhook, RBAC, certificates.")
        {
            ns, image, certManager, apply, kubeconfig, timeout,
        };
        command.SetAction((parse, ct) => CliHost.GuardAsync(async () =>
        {
            var options = new InstallOptions(parse.GetValue(ns)!, parse.GetValue(image)!, parse.GetValue(certManager))
            {
                WebhookReadyTimeout = parse.GetValue(timeout).Value,
            };
            if (!parse.GetValue(apply) && parse.GetValue(kubeconfig) is not null)
            {
                throw new UsageException("install: --kubeconfig is only used with --apply; add --apply to install into that cluster, or drop --kubeconfig to print the manifests");
            }

            if (!parse.GetValue(apply))
            {
                await Console.Out.WriteAsync(ClusterManifests.Print(options, TimeProvider.System));
                return CliHost.Ok;
            }

            using var client = Connect(parse.GetValue(kubeconfig));
            var undo = UndoCommand(options.Namespace, parse.GetValue(kubeconfig));
            try
            {
                await ClusterInstaller.ApplyAsync(client, options, TimeProvider.System, Console.Out.WriteLine, undo, ct);
            }
            catch (InstallException e)
            {
                throw new FailureException(e.Message);
            }

            Console.Out.WriteLine($"installed Waylay in {options.Namespace}; label a namespace for injection with: kubectl label namespace NAME waylay-injection=enabled");
            return CliHost.Ok;
        }));
        return command;
    }

    public static Command Uninstall()
    {
        var ns = CliOption.KubernetesName("--namespace", InstallOptions.DefaultNamespace, "Namespace Waylay was installed into");
        var kubeconfig = Kubeconfig();
        var dryRun = new Option<bool>("--dry-run") { Description = "Only list what would be deleted" };
        var command = new Command("uninstall", "Remove what 'waylay install' made (found by its labels); user namespaces and their injection labels stay.")
        {
            ns, kubeconfig, dryRun,
        };
        command.SetAction((parse, ct) => CliHost.GuardAsync(async () =>
        {
            using var client = Connect(parse.GetValue(kubeconfig));
            try
            {
                var deleted = await ClusterUninstaller.DeleteAsync(client, parse.GetValue(ns)!, parse.GetValue(dryRun), Console.Out.WriteLine, ct);
                if (deleted.Count == 0)
                {
                    Console.Out.WriteLine($"nothing to remove: no object labelled {InstallLabels.Selector(parse.GetValue(ns)!)}");
                }

                return CliHost.Ok;
            }
            catch (InstallException e)
            {
                throw new FailureException(e.Message);
            }
        }));
        return command;
    }

    private static Option<string?> Kubeconfig() =>
        new("--kubeconfig") { Description = "The cluster's kubeconfig (default: $KUBECONFIG, else ~/.kube/config, else in-cluster)", HelpName = "path" };

    private static Kubernetes Connect(string? kubeconfig)
    {
        try
        {
            return new Kubernetes(InstallConnection.Configure(kubeconfig));
        }
        catch (KubernetesSourceException e)
        {
            throw new UsageException(e.Message);
        }
    }

    private static string UndoCommand(string ns, string? kubeconfig) =>
        $"waylay uninstall --namespace {ns}{(kubeconfig is null ? "" : $" --kubeconfig {kubeconfig}")}";
}
