using System.CommandLine;
using System.Net;
using Microsoft.Extensions.Logging;
using Waylay.Proxy;
using Waylay.Proxy.Admin;
using Waylay.Proxy.Admin.AppProbes;
using Waylay.Proxy.Telemetry.Http;
using Waylay.Proxy.Configuration;

namespace Waylay.Commands;

/// <summary>
/// <c>waylay proxy [sidecar] …</c> runs the sidecar; <c>waylay proxy wait-ready</c> waits for its /ready. The seed's
/// camelCase flags (<c>--drainDuration 45s</c>, <c>--connectTimeout 10s</c>, …) are accepted as aliases of the
/// kebab-case ones, and the seed flags without a function yet are accepted and reported once in the log.
/// </summary>
internal static class ProxyCommand
{
    /// <summary>Seed flags the proxy accepts so the seed's container args start it, but that do nothing yet.</summary>
    private static readonly string[] WithoutEffect =
        ["--configPath", "--binaryPath", "--serviceCluster", "--discoveryRefreshDelay", "--statsdUdpAddress", "--controlPlaneAuthPolicy"];

    private const string PodLabelsDefault = "/etc/istio/pod/labels";

    /// <summary>The app probers the injector writes (Waylay's, then Istio's name: manifests injected by Istio work too).</summary>
    private static readonly string[] AppProberVariables = ["WAYLAY_KUBE_APP_PROBERS", "ISTIO_KUBE_APP_PROBERS"];

    public static Command Create()
    {
        var command = new Command("proxy", "Run the sidecar proxy (uid 1337): relays every captured connection, inbound and outbound.");
        Configure(command);
        var sidecar = new Command("sidecar", "The same as 'waylay proxy': the seed's 'proxy sidecar …' container args.");
        Configure(sidecar);
        command.Subcommands.Add(sidecar);
        var router = new Command("router", "The same as 'waylay proxy --gateway': Istio's 'proxy router', the ingress gateway's container args.");
        Configure(router, gateway: true);
        command.Subcommands.Add(router);
        command.Subcommands.Add(WaitReady());
        return command;
    }

    private static void Configure(Command command, bool gateway = false)
    {
        var gatewayMode = new Option<bool>("--gateway") { Description = "Run as an ingress gateway, not a sidecar: listen on the ports of the Gateways selecting this pod's labels and route by Host with the VirtualServices bound to them" };
        var podLabels = new Option<string>("--pod-labels") { Description = "Gateway mode: the pod's labels (the downward-API file Istio's gateway mounts); without it, the mesh workload at the pod's address", HelpName = "path", DefaultValueFactory = _ => PodLabelsDefault };
        var config = new Option<string?>("--config") { Description = "mesh.yaml with services, their addresses, ports and endpoints; reloaded when it changes. Without it every outbound connection passes through.", HelpName = "path" };
        var rules = new Option<string?>("--rules") { Description = "Istio VirtualServices and DestinationRules (networking.istio.io v1/v1beta1/v1alpha3, many documents); reloaded when it changes", HelpName = "path" };
        var discovery = new Option<string?>("--discovery", "--discoveryAddress")
        {
            Description = "The control plane (host:port, e.g. waylay-control.waylay-system:15010): services, endpoints and rules stream from it instead of --config/--rules; the last good config stays while it is away",
            HelpName = "address",
        };
        var metricsPort = CliOption.Port("--metrics-port", null, 15090, "Prometheus metrics with Istio's names on all addresses (/stats/prometheus)");
        var detection = CliOption.Duration("--protocol-detection-timeout", null, TimeSpan.FromMilliseconds(100), "How long a silent client is waited for before its connection is relayed as opaque TCP (server-first protocols)");
        var concurrency = CliOption.Number("--concurrency", 2, 0, 256, "a thread count", "give 1 to 256, or 0 for one per core", "Threads serving HTTP/1 connections (Istio's proxy concurrency); 0 for one per core");
        var accessLog = new Option<string?>("--access-log-file") { Description = "One line per HTTP request to this file (/dev/stdout for the container log); off by default, as in Istio", HelpName = "path" };
        var accessLogFormat = CliOption.Choice("--access-log-format", "text", "Envoy's text format, or one JSON object per line",
            ("text", AccessLogFormat.Text, []), ("json", AccessLogFormat.Json, []));
        // A struct, not Uri?: a CustomParser's null makes System.CommandLine convert the token itself (and throw).
        var zipkin = new Option<FlagValue<Uri?>>("--zipkinAddress", "--zipkin-address")
        {
            Description = "Zipkin collector; spans (Zipkin v2 JSON) are batched and sent there. Off when not given",
            HelpName = "host:port",
            CustomParser = result =>
            {
                var address = result.Tokens[^1].Value;
                if (address.Length == 0)
                {
                    return new FlagValue<Uri?>(null, ""); // Istio's empty --zipkinAddress: tracing off
                }

                if (!ZipkinOptions.TryParseAddress(address, out var collector, out var problem))
                {
                    result.AddError(problem!);
                }

                return new FlagValue<Uri?>(collector, address);
            },
        };
        var sampling = CliOption.Percentage("--trace-sampling", 1.0, "Percentage of new traces to sample, as Istio's meshConfig sampling");
        var connectTimeout = CliOption.Duration("--connect-timeout", "--connectTimeout", TimeSpan.FromSeconds(10), "How long an upstream connect may take");
        var idleTimeout = CliOption.Duration("--idle-timeout", "--idleTimeout", TimeSpan.FromHours(1), "Close a connection with no bytes either way for this long");
        var drain = CliOption.Duration("--drain-duration", "--drainDuration", TimeSpan.FromSeconds(45), "On SIGTERM or POST /drain: how long open connections may finish");
        var parent = CliOption.Duration("--parent-shutdown-duration", "--parentShutdownDuration", TimeSpan.FromSeconds(60), "The process is gone by then, whatever is still open");
        var inboundTo = CliOption.Choice("--inbound-to", "loopback", "Where inbound connections go: 127.0.0.1:<port>, or the pod's address from 127.0.0.6 (for apps that listen only on the pod IP)",
            ("loopback", InboundTarget.Loopback, []), ("pod-ip", InboundTarget.PodIp, ["podip"]));
        var outboundPort = CliOption.Port("--outbound-port", null, 15001, "Outbound capture port (the capture rules' -p)");
        var inboundPort = CliOption.Port("--inbound-port", null, 15006, "Inbound capture port (the capture rules' -z); give the outbound port for the seed's single-port layout");
        var adminPort = CliOption.Port("--admin-port", "--proxyAdminPort", 15000, "Admin API port on 127.0.0.1");
        var healthPort = CliOption.Port("--health-port", null, 15021, "Health port for kubelet probes (/healthz/ready, and the app probes of $WAYLAY_KUBE_APP_PROBERS or $ISTIO_KUBE_APP_PROBERS under /app-health/)");
        var instanceIp = CliOption.Address("--instance-ip", "The pod's IP, added to the addresses read from the interfaces; default $INSTANCE_IP");
        var proxyUid = CliOption.Number("--proxy-uid", 1337u, 0u, uint.MaxValue - 1, "a uid", "give a number from 0 to 4294967294", "The uid the capture rules exempt (warns when running as another)");
        var noSplice = new Option<bool>("--no-splice") { Description = "Relay opaque TCP through pooled buffers instead of splice(2)" };
        var tproxy = new Option<bool>("--tproxy") { Description = "TPROXY interception: transparent listeners, original destination = local address" };
        var logLevel = CliOption.Choice("--log-level", "info", "The least severe messages logged (Envoy's and Istio's level names)",
            ("trace", LogLevel.Trace, []), ("debug", LogLevel.Debug, []), ("info", LogLevel.Information, ["information"]), ("warn", LogLevel.Warning, ["warning"]),
            ("error", LogLevel.Error, []), ("critical", LogLevel.Critical, []), ("off", LogLevel.None, []));
        var ignored = WithoutEffect.Select(name => new Option<string?>(name) { Description = "Accepted for the seed's container args; no effect yet", HelpName = "value" }).ToList();

        Option[] all = [gatewayMode, podLabels, config, rules, discovery, metricsPort, detection, concurrency, accessLog, accessLogFormat, zipkin, sampling, connectTimeout, idleTimeout, drain, parent, inboundTo, outboundPort, inboundPort, adminPort, healthPort, instanceIp, proxyUid, noSplice, tproxy, logLevel, .. ignored];
        foreach (var option in all)
        {
            command.Options.Add(option);
        }

        // Guarded: a bad probers variable is a usage error (exit 2), not an unhandled exception.
        command.SetAction((parse, ct) => CliHost.GuardAsync(async () =>
        {
            var environmentIp = Environment.GetEnvironmentVariable("INSTANCE_IP");
            var probers = new Dictionary<string, AppProber>();
            var problems = new List<string>();
            foreach (var variable in AppProberVariables)
            {
                if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } json)
                {
                    problems.AddRange(AppProbersParser.Parse(variable, json, probers));
                }
            }

            if (problems.Count > 0)
            {
                throw new UsageException(string.Join(Environment.NewLine, problems));
            }

            var options = new ProxyOptions
            {
                Gateway = gateway || parse.GetValue(gatewayMode),
                PodLabelsPath = parse.GetValue(podLabels) ?? PodLabelsDefault,
                ConfigPath = parse.GetValue(config),
                RulesPath = parse.GetValue(rules),
                DiscoveryAddress = parse.GetValue(discovery) is { Length: > 0 } address ? address : null,
                MetricsPort = parse.GetValue(metricsPort),
                ProtocolDetectionTimeout = parse.GetValue(detection).Value,
                Concurrency = parse.GetValue(concurrency),
                AccessLogFile = parse.GetValue(accessLog),
                AccessLogFormat = parse.GetValue(accessLogFormat).Value,
                ZipkinCollector = parse.GetValue(zipkin).Value,
                TraceSampling = parse.GetValue(sampling),
                ConnectTimeout = parse.GetValue(connectTimeout).Value,
                IdleTimeout = parse.GetValue(idleTimeout).Value,
                DrainDuration = parse.GetValue(drain).Value,
                ParentShutdownDuration = parse.GetValue(parent).Value,
                InboundTo = parse.GetValue(inboundTo).Value,
                OutboundPort = parse.GetValue(outboundPort),
                InboundPort = parse.GetValue(inboundPort),
                AdminPort = parse.GetValue(adminPort),
                HealthPort = parse.GetValue(healthPort),
                InstanceIp = parse.GetValue(instanceIp) ?? (CliOption.TryParseAddress(environmentIp, out var ip) ? ip : null),
                AppProbers = probers,
                ProxyUid = parse.GetValue(proxyUid),
                Splice = !parse.GetValue(noSplice),
                Transparent = parse.GetValue(tproxy),
                AcceptedWithoutEffect = ignored.Where(o => parse.GetResult(o) is not null).Select(o => $"{o.Name}={parse.GetValue(o)}").ToList(),
            };
            return await WaylayProxy.RunAsync(options, parse.GetValue(logLevel).Value, Console.Error, ct);
        }));
    }

    private static Command WaitReady()
    {
        var command = new Command("wait-ready", "Wait until the sidecar's 127.0.0.1:<admin>/ready answers 200 (the injector's postStart hook).");
        var adminPort = CliOption.Port("--admin-port", "--proxyAdminPort", 15000, "Admin API port on 127.0.0.1");
        var timeout = CliOption.Duration("--timeout", null, TimeSpan.FromSeconds(60), "Give up after this long (exit 1)");
        command.Options.Add(adminPort);
        command.Options.Add(timeout);
        command.SetAction(async (parse, ct) =>
        {
            var limit = parse.GetValue(timeout);
            var problem = await ReadinessProbe.WaitAsync(parse.GetValue(adminPort), limit.Value, TimeProvider.System, ct);
            if (problem is null)
            {
                return CliHost.Ok;
            }

            var hint = problem.Contains("waiting for the first config", StringComparison.Ordinal)
                ? "Is the control plane it names running and reachable from this pod?"
                : "Is 'waylay proxy' running in this network namespace?";
            Console.Error.WriteLine($"waylay proxy wait-ready: the proxy was not ready within {limit}: {problem}. {hint}");
            return CliHost.Failure;
        });
        return command;
    }
}
