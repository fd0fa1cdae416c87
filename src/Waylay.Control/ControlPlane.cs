using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Waylay.Control.Debug;
using Waylay.Control.Discovery;
using Waylay.Control.Registry;
using Waylay.Control.Sources;
using Waylay.Control.Sources.Files;
using Waylay.Control.Sources.Kubernetes;
using Waylay.Control.Sources.Registrations;

namespace Waylay.Control;

/// <summary>
/// <c>waylay control</c>: the sources, the registry, the discovery server (gRPC over cleartext HTTP/2 on
/// <see cref="ControlOptions.Port"/>: the AggregatedDiscovery stream and the Registration service) and the debug port.
/// <code>
///   -f files ─┐
///   registrations ─► ManifestSource ─┐
///   --kubeconfig ─► KubernetesSource ─┴► MeshRegistry (merge, version, debounce) ─► AggregatedDiscoveryService ─► proxies
/// </code>
/// </summary>
internal static class ControlPlane
{
    /// <summary>The host's switch for watching its configuration files (HostingHostBuilderExtensions' ReloadConfigOnChangeKey).</summary>
    internal const string ReloadConfigOnChangeKey = "hostBuilder:reloadConfigOnChange";

    /// <summary>Builds the host; the caller starts it (tests read the bound ports from it).</summary>
    public static WebApplication Build(ControlOptions options, Action<ILoggingBuilder>? logging = null)
    {
        // No reload of appsettings.json on change: the control plane reads none, and the watch behind it is recursive
        // from the content root (the working directory), which in a container is "/": inotify watches on every
        // directory of the image, /proc and /sys took about 300 ms of the start under runc (docs/benchmarks.md).
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [$"--{ReloadConfigOnChangeKey}=false"] });
        builder.Logging.ClearProviders();
        logging?.Invoke(builder.Logging);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(new IPEndPoint(options.Listen, options.Port), listen => listen.Protocols = HttpProtocols.Http2);
            kestrel.Listen(new IPEndPoint(options.Listen, options.DebugPort), listen => listen.Protocols = HttpProtocols.Http1);
        });
        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<PodRegistry>();
        services.AddSingleton<ProxyConnections>();
        services.AddSingleton<ControlMetrics>();
        services.AddSingleton<IReadOnlyList<IMeshSource>>(provider =>
        {
            var loggers = provider.GetRequiredService<ILoggerFactory>();
            var sources = new List<IMeshSource>
            {
                new ManifestSource(options.Paths, provider.GetRequiredService<PodRegistry>(), TimeProvider.System, options.FilePollInterval, loggers.CreateLogger("Waylay.Control.Files")),
            };
            if (options.Kubeconfig is not null || options.InCluster)
            {
                sources.Add(new KubernetesSource(new KubernetesSourceOptions(options.Kubeconfig, null, options.Namespaces), TimeProvider.System, loggers.CreateLogger<KubernetesSource>()));
            }

            return sources;
        });
        services.AddSingleton(provider =>
        {
            var loggers = provider.GetRequiredService<ILoggerFactory>();
            var sources = provider.GetRequiredService<IReadOnlyList<IMeshSource>>();
            var registry = new MeshRegistry(sources, TimeProvider.System, options.Debounce, loggers.CreateLogger("Waylay.Control.Registry"), options.RootNamespace);
            var connections = provider.GetRequiredService<ProxyConnections>();
            registry.Published += (_, _) => connections.WakeAll();
            return registry;
        });
        services.AddSingleton<DebugEndpoints>();
        services.AddGrpc(grpc => grpc.MaxSendMessageSize = 64 * 1024 * 1024);

        var app = builder.Build();
        // Each port serves only its own: gRPC on the discovery port, the debug pages on the debug port.
        app.Use((context, next) =>
        {
            var debugPort = context.Connection.LocalPort == options.DebugPort;
            var grpc = context.Request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) == true;
            if (debugPort == grpc)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }

            return next(context);
        });
        app.MapGrpcService<AggregatedDiscoveryService>();
        app.MapGrpcService<RegistrationService>();
        var debug = app.Services.GetRequiredService<DebugEndpoints>();
        app.MapGet("/debug/syncz", () => Results.Text(debug.Syncz(), "application/json"));
        app.MapGet("/debug/configz", () => Results.Text(debug.Configz(), "application/json"));
        app.MapGet("/metrics", () => Results.Text(debug.Metrics(), "text/plain; version=0.0.4"));
        app.MapGet("/ready", () => Results.Text("ready\n"));
        return app;
    }

    /// <summary>Runs sources, registry and server until cancelled.</summary>
    public static async Task RunAsync(WebApplication app, ControlOptions options, CancellationToken cancellationToken)
    {
        var registry = app.Services.GetRequiredService<MeshRegistry>();
        var sources = app.Services.GetRequiredService<IReadOnlyList<IMeshSource>>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var loops = sources.Select(s => s.RunAsync(stop.Token)).Append(registry.RunAsync(stop.Token)).ToList();
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Waylay.Control");
        ControlLog.Serving(logger, options.Port, options.DebugPort);
        // The host's own SIGTERM/SIGINT handling stops the application (and swallows the signal): end on either.
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, app.Lifetime.ApplicationStopping);
        try
        {
            await Task.Delay(Timeout.Infinite, ended.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        await stop.CancelAsync().ConfigureAwait(false);
        await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await Task.WhenAll(loops).ConfigureAwait(false);
    }
}
