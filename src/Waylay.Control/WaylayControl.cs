using Microsoft.Extensions.Logging;

namespace Waylay.Control;

/// <summary>The entry <c>waylay control</c> calls: validate, build, run until SIGTERM/SIGINT; exit codes as the CLI contract says.</summary>
internal static class WaylayControl
{
    public static async Task<int> RunAsync(ControlOptions options, LogLevel logLevel, TextWriter error, CancellationToken cancellationToken)
    {
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            foreach (var problem in problems)
            {
                await error.WriteLineAsync($"waylay control: {problem}").ConfigureAwait(false);
            }

            return 2;
        }

        try
        {
            if (options.Kubeconfig is not null || options.InCluster)
            {
                // Read the cluster's configuration before anything starts (or logs): a bad one is refused alone.
                _ = Sources.Kubernetes.KubernetesConnection.Configure(new Sources.Kubernetes.KubernetesSourceOptions(options.Kubeconfig));
            }

            await using var app = ControlPlane.Build(options, logging => logging
                .SetMinimumLevel(logLevel)
                .AddFilter("Microsoft", LogLevel.Warning)
                .AddFilter("Microsoft.Extensions.Hosting", LogLevel.None)
                .AddFilter("Grpc", LogLevel.Warning)
                .AddSimpleConsole(o =>
                {
                    o.SingleLine = true;
                    o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
                    o.UseUtcTimestamp = true;
                }));
            await ControlPlane.RunAsync(app, options, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            // Kestrel's bind failure ("address already in use"): the world refused, exit 1 (README "Exit codes").
            await error.WriteLineAsync($"waylay control: cannot listen: {e.Message}; free the port or give another with --port / --debug-port").ConfigureAwait(false);
            return 1;
        }
        catch (Sources.Kubernetes.KubernetesSourceException e)
        {
            // --kubeconfig unreadable, or --in-cluster outside a pod (found while the sources are built): what the user
            // gave cannot be used (exit 2), said in one line instead of an unhandled exception's trace.
            await error.WriteLineAsync($"waylay control: {e.Message}").ConfigureAwait(false);
            return 2;
        }

        return 0;
    }
}
