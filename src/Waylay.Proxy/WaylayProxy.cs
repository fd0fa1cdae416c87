using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Waylay.Mesh;
using Waylay.Proxy.Configuration;
using Waylay.Proxy.Io;
using Waylay.Proxy.Lifecycle;

namespace Waylay.Proxy;

/// <summary>The entry the CLI calls: validate, start, run until drained or quit, exit with a code.</summary>
internal static class WaylayProxy
{
    /// <returns>
    /// 0 after a drain or quit; 2 for bad input (invalid flags, or a mesh or rules file that does not validate: every
    /// error is printed with its flag or path); 1 when the proxy could not start (a port taken, a file it cannot
    /// write: the reason is printed).
    /// </returns>
    /// <param name="logLevel">The least severe level logged (the CLI's <c>--log-level</c>, parsed there).</param>
    public static async Task<int> RunAsync(ProxyOptions options, LogLevel logLevel, TextWriter error, CancellationToken cancellationToken)
    {
        InlineSocketCompletions.EnableUnlessSet();
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            foreach (var problem in problems)
            {
                await error.WriteLineAsync($"waylay proxy: {problem}").ConfigureAwait(false);
            }

            return 2;
        }

        // The start's one-time phases each touch megabytes of the binary that never run again (argument parsing here,
        // then loading and checking the configuration): released after each, so they do not stack up into the
        // sidecar's peak (~22 MB at readiness otherwise, ~17 so; docs/designs/proxy.md, "Memory").
        HeapTrimmer.ReleaseImage();
        using var loggers = LoggerFactory.Create(builder => builder
            .SetMinimumLevel(logLevel)
            .AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
                o.UseUtcTimestamp = true;
            }));
        ProxyHost host;
        try
        {
            host = new ProxyHost(options, loggers, TimeProvider.System);
        }
        catch (MeshValidationException e)
        {
            // The message starts with the file (mesh.yaml or the rules file) and lists every error with its path.
            await error.WriteLineAsync($"waylay proxy: {e.Message}").ConfigureAwait(false);
            return 2;
        }

        HeapTrimmer.ReleaseImage();
        using (host)
        {
            try
            {
                host.Start();
            }
            catch (ProxyStartException e)
            {
                await error.WriteLineAsync($"waylay proxy: {e.Message}").ConfigureAwait(false);
                return 1;
            }

            // SIGTERM (kubelet stopping the pod) and SIGINT start the drain instead of killing the process.
            using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Drain);
            using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Drain);

            // The hard bound: whatever happens in the drain, the process is gone by --parent-shutdown-duration.
            _ = host.Lifecycle.DrainRequested.ContinueWith(
                _ => Task.Delay(options.ParentShutdownDuration).ContinueWith(_ => Environment.Exit(0), TaskScheduler.Default),
                TaskScheduler.Default);
            await host.RunAsync(cancellationToken).ConfigureAwait(false);
            return 0;

            void Drain(PosixSignalContext context)
            {
                context.Cancel = true;
                host.Lifecycle.BeginDrain(context.Signal.ToString());
            }
        }
    }
}
