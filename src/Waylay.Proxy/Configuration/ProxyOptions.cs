using System.Net;
using Waylay.Mesh;

namespace Waylay.Proxy.Configuration;

/// <summary>Everything the sidecar is told at start, parsed once into typed values (see docs/designs/proxy.md).</summary>
internal sealed record ProxyOptions
{
    /// <summary>Where OUTPUT REDIRECT sends the app's outgoing connections (and, in the seed's layout, everything).</summary>
    public ushort OutboundPort { get; init; } = 15001;

    /// <summary>Where PREROUTING REDIRECT sends connections addressed to the pod.</summary>
    public ushort InboundPort { get; init; } = 15006;

    /// <summary>Admin API, bound to 127.0.0.1 only.</summary>
    public ushort AdminPort { get; init; } = 15000;

    /// <summary>Kubelet probes (<c>/healthz/ready</c>, and the app probes under <c>/app-health/</c>) on the pod's addresses.</summary>
    public ushort HealthPort { get; init; } = 15021;

    /// <summary>mesh.yaml; null runs the proxy as a pure transparent proxy (every outbound connection passes through).</summary>
    public string? ConfigPath { get; init; }

    /// <summary>Istio VirtualServices and DestinationRules (YAML, many documents); reloaded like the mesh file.</summary>
    public string? RulesPath { get; init; }

    /// <summary>
    /// The control plane (<c>--discovery</c>, the seed's <c>--discoveryAddress</c>; host:port): services, endpoints and
    /// rules come from its stream (<see cref="DiscoveryMeshSource"/>) instead of <see cref="ConfigPath"/> and <see cref="RulesPath"/>.
    /// </summary>
    public string? DiscoveryAddress { get; init; }

    /// <summary>Prometheus metrics (Istio's names) on all addresses, as Envoy's 15090 merged-metrics port.</summary>
    public ushort MetricsPort { get; init; } = 15090;

    /// <summary>How long a client that has said nothing is waited for before its connection is taken as opaque TCP.</summary>
    public TimeSpan ProtocolDetectionTimeout { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Threads serving HTTP/1 connections (Istio's proxy <c>concurrency</c>, Envoy's <c>--concurrency</c>): 2 by default
    /// as in Istio's sidecars, 0 for one per core.
    /// </summary>
    public int Concurrency { get; init; } = 2;

    /// <summary>One line per HTTP request; null is off (Istio's default), "/dev/stdout" the usual choice.</summary>
    public string? AccessLogFile { get; init; }

    public AccessLogFormat AccessLogFormat { get; init; } = AccessLogFormat.Text;

    /// <summary>Zipkin collector (the seed's <c>--zipkinAddress host:port</c>); null sends no spans.</summary>
    public Uri? ZipkinCollector { get; init; }

    /// <summary>Percentage of new traces sampled (Istio's default 1 %).</summary>
    public double TraceSampling { get; init; } = 1.0;

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A connection with no byte either way for this long is closed (Envoy's TCP default: 1 hour).</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromHours(1);

    public TimeSpan DrainDuration { get; init; } = TimeSpan.FromSeconds(45);

    public TimeSpan ParentShutdownDuration { get; init; } = TimeSpan.FromSeconds(60);

    public InboundTarget InboundTo { get; init; } = InboundTarget.Loopback;

    /// <summary>The pod's address from the downward API (INSTANCE_IP); added to the addresses read from the interfaces.</summary>
    public IPAddress? InstanceIp { get; init; }

    /// <summary>
    /// The app probes the injector moved to the health port (WAYLAY_KUBE_APP_PROBERS / ISTIO_KUBE_APP_PROBERS), by
    /// their path there (<c>/app-health/web/readyz</c>); parsed by <see cref="AppProbersParser"/>.
    /// </summary>
    public IReadOnlyDictionary<string, AppProber> AppProbers { get; init; } = new Dictionary<string, AppProber>();

    /// <summary>The uid the capture rules exempt; the proxy warns when it runs as another.</summary>
    public uint ProxyUid { get; init; } = 1337;

    /// <summary>Relay with splice(2) through a pipe; false uses the pooled-buffer copy everywhere.</summary>
    public bool Splice { get; init; } = true;

    /// <summary>TPROXY mode: transparent listeners, the original destination is the accepted socket's local address.</summary>
    public bool Transparent { get; init; }

    /// <summary>How often the config file is checked for a change.</summary>
    public TimeSpan ConfigPollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Seed flags accepted so the seed's container args start the proxy, with what each would have set.</summary>
    public IReadOnlyList<string> AcceptedWithoutEffect { get; init; } = [];

    /// <summary>
    /// Gateway mode (<c>--gateway</c>, Istio's <c>proxy router</c>): no capture listeners; the proxy listens on the
    /// ports of the Gateways that select its pod and routes by Host with the VirtualServices bound to them.
    /// </summary>
    public bool Gateway { get; init; }

    /// <summary>Gateway mode: the downward-API file with the pod's labels (Istio's <c>/etc/istio/pod/labels</c>).</summary>
    public string PodLabelsPath { get; init; } = PodLabels.DefaultPath;

    /// <summary>Every problem at once, each naming the flag and the fix.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        var ports = new[] { ("--outbound-port", OutboundPort), ("--inbound-port", InboundPort), ("--proxyAdminPort", AdminPort), ("--health-port", HealthPort), ("--metrics-port", MetricsPort) };
        for (var i = 0; i < ports.Length; i++)
        {
            if (ports[i].Item2 == 0)
            {
                errors.Add($"{ports[i].Item1} must be a port from 1 to 65535");
            }

            for (var j = 0; j < i; j++)
            {
                if (ports[i].Item2 == ports[j].Item2 && ports[i].Item2 != 0 && !(i == 1 && j == 0))
                {
                    errors.Add($"{ports[i].Item1} and {ports[j].Item1} are both {ports[i].Item2}: give each its own port");
                }
            }
        }

        Positive(errors, "--connect-timeout", ConnectTimeout);
        Positive(errors, "--idle-timeout", IdleTimeout);
        Positive(errors, "--drain-duration", DrainDuration);
        Positive(errors, "--parent-shutdown-duration", ParentShutdownDuration);
        if (ParentShutdownDuration < DrainDuration)
        {
            errors.Add($"--parent-shutdown-duration ({GoDuration.Format(ParentShutdownDuration)}) is shorter than --drain-duration ({GoDuration.Format(DrainDuration)}): it must be at least as long");
        }

        Positive(errors, "--protocol-detection-timeout", ProtocolDetectionTimeout);
        if (Concurrency is < 0 or > 256)
        {
            errors.Add($"--concurrency: {Concurrency} is not a thread count; give 1 to 256, or 0 for one per core");
        }

        if (RulesPath is not null && !File.Exists(RulesPath))
        {
            errors.Add($"--rules: '{RulesPath}' {Missing(RulesPath)}; write the VirtualServices and DestinationRules there or leave --rules out");
        }

        if (TraceSampling is < 0 or > 100)
        {
            errors.Add($"--trace-sampling: {TraceSampling} is not a percentage; give 0 to 100");
        }

        if (AccessLogFile is { Length: > 0 } log && (Directory.Exists(log) || Path.GetDirectoryName(Path.GetFullPath(log)) is { } folder && !Directory.Exists(folder)))
        {
            errors.Add($"--access-log-file: '{log}' is a directory or in a directory that does not exist; give a file path in an existing directory, or /dev/stdout");
        }

        if (DiscoveryAddress is not null && (ConfigPath is not null || RulesPath is not null))
        {
            errors.Add("--discovery and --config/--rules both given: the control plane's config replaces the files; give one or the other");
        }

        if (ConfigPath is not null && !File.Exists(ConfigPath))
        {
            errors.Add($"--config: '{ConfigPath}' {Missing(ConfigPath)}; write a mesh.yaml there or leave --config out to pass every connection through");
        }

        return errors;
    }

    private static string Missing(string path) => Directory.Exists(path) ? "is a directory, not a file" : "does not exist";

    private static void Positive(List<string> errors, string flag, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            errors.Add($"{flag} must be longer than zero, e.g. 10s");
        }
    }
}

/// <summary>Where inbound connections go in the pod.</summary>
internal enum InboundTarget
{
    /// <summary>127.0.0.1:&lt;port&gt; ([::1] for IPv6): the classic sidecar.</summary>
    Loopback,

    /// <summary>The pod's own address from source 127.0.0.6, for apps that listen only on the pod IP (Istio ≥ 1.10).</summary>
    PodIp,
}
