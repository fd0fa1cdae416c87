using System.CommandLine;
using System.CommandLine.Parsing;
using System.Net;
using Waylay.Proxy;
using Waylay.Proxy.Admin;
using Waylay.Proxy.Admin.AppProbes;

namespace Waylay.Cli.Commands;

/// <summary>
/// <c>waylay proxy [sidecar] …</c> runs the sidecar; <c>waylay proxy wait-ready</c> waits for its /ready. The seed's
/// camelCase flags (<c>--drainDuration 45s</c>, <c>--connectTimeout 10s</c>, …) are accepted as aliases of the
/// kebab-case ones, and the seed flags without a function yet are accepted and reported once in the log.
/// </summary>
internal static class ProxyCommand
{
    /// <summary>Seed flags the proxy accepts so the seed's container args start it, but that do nothing yet.</summary>
    private static readonly string[] WithoutEffect =
        ["--configPath", "--binaryPath", "--serviceCluster", "--discoveryAddress", "--discoveryRefreshDelay", "--statsdUdpAddress", "--controlPlaneAuthPolicy"];

    /// <summary>The app probers the injector writes (Waylay's, then Istio's name: manifests injected by Istio work too).</summary>
    private static readonly string[] AppProberVariables = ["WAYLAY_KUBE_APP_PROBERS", "ISTIO_KUBE_APP_PROBERS"];

    public static Command Create()
    {
        var command = new Command("proxy", "Run the sidecar proxy (uid 1337): relays every captured connection, inbound and outbound.");
        Configure(command);
        var sidecar = new Command("sidecar", "The same as 'waylay proxy': the seed's 'proxy sidecar …' container args.");
        Configure(sidecar);
        command.Subcommands.Add(sidecar);
        command.Subcommands.Add(WaitReady());
        return command;
    }

    private static void Configure(Command command)
    {
        var config = new Option<string?>("--config") { Description = "mesh.yaml with services, their addresses, ports and endpoints; reloaded when it changes. Without it every outbound connection passes through." };
        var rules = new Option<string?>("--rules") { Description = "Istio VirtualServices and DestinationRules (networking.istio.io v1/v1beta1/v1alpha3, many documents); reloaded when it changes" };
        var metricsPort = Port("--metrics-port", null, 15090, "Prometheus metrics with Istio's names on all addresses (/stats/prometheus)");
        var detection = Duration("--protocol-detection-timeout", null, "100ms", "How long a silent client is waited for before its connection is relayed as opaque TCP (server-first protocols)");
        var concurrency = new Option<int>("--concurrency") { Description = "Threads serving HTTP/1 connections (Istio's proxy concurrency): 2 as in Istio's sidecars, 0 for one per core", DefaultValueFactory = _ => 2 };
        var accessLog = new Option<string?>("--access-log-file") { Description = "One line per HTTP request to this file (/dev/stdout for the container log); off by default, as in Istio" };
        var accessLogFormat = new Option<string>("--access-log-format") { Description = "text (Envoy's default format) or json", DefaultValueFactory = _ => "text" };
        accessLogFormat.AcceptOnlyFromAmong("text", "json");
        var zipkin = new Option<string?>("--zipkinAddress", "--zipkin-address") { Description = "Zipkin collector host:port; spans (Zipkin v2 JSON) are batched and sent there" };
        var sampling = new Option<double>("--trace-sampling") { Description = "Percentage of new traces to sample (Istio's default 1)", DefaultValueFactory = _ => 1.0 };
        var connectTimeout = Duration("--connect-timeout", "--connectTimeout", "10s", "How long an upstream connect may take");
        var idleTimeout = Duration("--idle-timeout", "--idleTimeout", "1h", "Close a connection with no bytes either way for this long");
        var drain = Duration("--drain-duration", "--drainDuration", "45s", "On SIGTERM or POST /drain: how long open connections may finish");
        var parent = Duration("--parent-shutdown-duration", "--parentShutdownDuration", "60s", "The process is gone by then, whatever is still open");
        var inboundTo = new Option<InboundTarget>("--inbound-to")
        {
            Description = "Where inbound connections go: 'loopback' (127.0.0.1:<port>) or 'pod-ip' (the pod's address from 127.0.0.6, for apps that listen only on the pod IP)",
            DefaultValueFactory = _ => InboundTarget.Loopback,
            CustomParser = result => result.Tokens[0].Value switch
            {
                "loopback" => InboundTarget.Loopback,
                "pod-ip" or "podip" => InboundTarget.PodIp,
                var other => Error<InboundTarget>(result, $"--inbound-to: '{other}' is not a target; use loopback or pod-ip"),
            },
        };
        var outboundPort = Port("--outbound-port", null, 15001, "Outbound capture port (the capture rules' -p)");
        var inboundPort = Port("--inbound-port", null, 15006, "Inbound capture port (the capture rules' -z); give the outbound port for the seed's single-port layout");
        var adminPort = Port("--admin-port", "--proxyAdminPort", 15000, "Admin API port on 127.0.0.1");
        var healthPort = Port("--health-port", null, 15021, "Health port for kubelet probes (/healthz/ready, and the app probes of $WAYLAY_KUBE_APP_PROBERS or $ISTIO_KUBE_APP_PROBERS under /app-health/)");
        var instanceIp = new Option<IPAddress?>("--instance-ip")
        {
            Description = "The pod's IP (default: $INSTANCE_IP); added to the addresses read from the interfaces",
            CustomParser = result => IPAddress.TryParse(result.Tokens[0].Value, out var ip) ? ip : Error<IPAddress?>(result, $"--instance-ip: '{result.Tokens[0].Value}' is not an IP address"),
        };
        var proxyUid = new Option<uint>("--proxy-uid") { Description = "The uid the capture rules exempt (warns when running as another)", DefaultValueFactory = _ => 1337 };
        var noSplice = new Option<bool>("--no-splice") { Description = "Copy through pooled buffers instead of splice(2)" };
        var tproxy = new Option<bool>("--tproxy") { Description = "TPROXY interception: transparent listeners, original destination = local address" };
        var logLevel = new Option<string>("--log-level") { Description = "trace, debug, information, warning or error", DefaultValueFactory = _ => "information" };
        logLevel.AcceptOnlyFromAmong("trace", "debug", "information", "warning", "error");
        var ignored = WithoutEffect.Select(name => new Option<string?>(name) { Description = "Accepted for the seed's container args; no effect yet" }).ToList();

        Option[] all = [config, rules, metricsPort, detection, concurrency, accessLog, accessLogFormat, zipkin, sampling, connectTimeout, idleTimeout, drain, parent, inboundTo, outboundPort, inboundPort, adminPort, healthPort, instanceIp, proxyUid, noSplice, tproxy, logLevel, .. ignored];
        foreach (var option in all)
        {
            command.Options.Add(option);
        }

        // Guarded: a bad --zipkinAddress or probers variable is a usage error (exit 2), not an unhandled exception.
        command.SetAction((parse, ct) => CliHost.GuardAsync(async () =>
        {
            var environmentIp = Environment.GetEnvironmentVariable("INSTANCE_IP");
            Uri? collector = null;
            if (parse.GetValue(zipkin) is { Length: > 0 } address && !Waylay.Proxy.Telemetry.Http.ZipkinOptions.TryParseAddress(address, out collector, out var problem))
            {
                throw new UsageException($"--zipkinAddress: {problem}");
            }

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
                ConfigPath = parse.GetValue(config),
                RulesPath = parse.GetValue(rules),
                MetricsPort = parse.GetValue(metricsPort),
                ProtocolDetectionTimeout = parse.GetValue(detection),
                Concurrency = parse.GetValue(concurrency),
                AccessLogFile = parse.GetValue(accessLog),
                AccessLogFormat = parse.GetValue(accessLogFormat) == "json" ? Waylay.Proxy.Telemetry.Http.AccessLogFormat.Json : Waylay.Proxy.Telemetry.Http.AccessLogFormat.Text,
                ZipkinCollector = collector,
                TraceSampling = parse.GetValue(sampling),
                ConnectTimeout = parse.GetValue(connectTimeout),
                IdleTimeout = parse.GetValue(idleTimeout),
                DrainDuration = parse.GetValue(drain),
                ParentShutdownDuration = parse.GetValue(parent),
                InboundTo = parse.GetValue(inboundTo),
                OutboundPort = parse.GetValue(outboundPort),
                InboundPort = parse.GetValue(inboundPort),
                AdminPort = parse.GetValue(adminPort),
                HealthPort = parse.GetValue(healthPort),
                InstanceIp = parse.GetValue(instanceIp) ?? (IPAddress.TryParse(environmentIp, out var ip) ? ip : null),
                AppProbers = probers,
                ProxyUid = parse.GetValue(proxyUid),
                Splice = !parse.GetValue(noSplice),
                Transparent = parse.GetValue(tproxy),
                AcceptedWithoutEffect = ignored.Where(o => parse.GetResult(o) is not null).Select(o => $"{o.Name}={parse.GetValue(o)}").ToList(),
            };
            return await WaylayProxy.RunAsync(options, parse.GetValue(logLevel)!, Console.Error, ct);
        }));
    }

    private static Command WaitReady()
    {
        var command = new Command("wait-ready", "Wait until the sidecar's 127.0.0.1:<admin>/ready answers 200 (the injector's postStart hook).");
        var adminPort = Port("--admin-port", "--proxyAdminPort", 15000, "Admin API port on 127.0.0.1");
        var timeout = Duration("--timeout", null, "60s", "Give up after this long (exit 1)");
        command.Options.Add(adminPort);
        command.Options.Add(timeout);
        command.SetAction(async (parse, ct) =>
        {
            var problem = await ReadinessProbe.WaitAsync(parse.GetValue(adminPort), parse.GetValue(timeout), TimeProvider.System, ct);
            if (problem is null)
            {
                return CliHost.Ok;
            }

            Console.Error.WriteLine($"waylay proxy wait-ready: the proxy was not ready within {parse.GetValue(timeout)}: {problem}. Is 'waylay proxy' running in this network namespace?");
            return CliHost.Failure;
        });
        return command;
    }

    private static Option<TimeSpan> Duration(string name, string? alias, string fallback, string description)
    {
        var option = alias is null ? new Option<TimeSpan>(name) : new Option<TimeSpan>(name, alias);
        option.Description = $"{description} (Go duration: 10s, 1m0s, 250ms; default {fallback})";
        option.DefaultValueFactory = _ => GoDuration.TryParse(fallback, out var value, out string? _) ? value : TimeSpan.Zero;
        option.CustomParser = result => GoDuration.TryParse(result.Tokens[0].Value, out var value, out var error) ? value : Error<TimeSpan>(result, $"{name}: {error}");
        return option;
    }

    private static Option<ushort> Port(string name, string? alias, ushort fallback, string description)
    {
        var option = alias is null ? new Option<ushort>(name) : new Option<ushort>(name, alias);
        option.Description = $"{description} (default {fallback})";
        option.DefaultValueFactory = _ => fallback;
        option.CustomParser = result => ushort.TryParse(result.Tokens[0].Value, out var port) && port > 0
            ? port
            : Error<ushort>(result, $"{name}: '{result.Tokens[0].Value}' is not a port; use a number from 1 to 65535");
        return option;
    }

    private static T Error<T>(ArgumentResult result, string message)
    {
        result.AddError(message);
        return default!;
    }
}
