using System.Net;
using Microsoft.Extensions.Logging;
using Waylay.Linux;
using Waylay.Proxy.Admin;
using Waylay.Proxy.Admin.AppProbes;
using Waylay.Proxy.Configuration;
using Waylay.Proxy.Http;
using Waylay.Proxy.Http.Forwarding;
using Waylay.Proxy.Listeners;
using Waylay.Proxy.LoadBalancing;
using Waylay.Proxy.Pools;
using Waylay.Proxy.Routing;
using Waylay.Proxy.Tcp;
using Waylay.Proxy.Telemetry;
using Waylay.Proxy.Lifecycle;
using Waylay.Proxy.Connections;

namespace Waylay.Proxy;

/// <summary>
/// Wires the stages in the order a connection takes them and owns their lifetime:
/// <code>
///   Configuration (mesh.yaml, rules; IMeshSource) ─► Routing's table, swapped per snapshot
///   Listeners (15001, 15006) ─► ConnectionHandler: OriginalDestination ─► Routing (service; TCP or HTTP, once)
///     ├─ Http: per request route ─► policy ─► LoadBalancing (one endpoint) ─► Pools ─► forward (HTTP/1, h2c)
///     └─ Tcp:  LoadBalancing (one endpoint) ─► connect ─► relay (splice)
///   ─► Telemetry (metrics, access log, traces) ─► Admin (15000, 15021 with the app probes, 15090 metrics)
/// </code>
/// </summary>
internal sealed class ProxyHost : IDisposable
{
    private readonly ProxyOptions _options;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly List<ProxyListener> _listeners = [];
    private readonly List<AdminHttpServer> _servers = [];
    private readonly PodAddresses _pod;
    private readonly IMeshSource _source;
    private readonly RouteTableManager _config;
    private readonly ITimer _idleSweep;
    private readonly HeapTrimmer _trimmer;
    private readonly EndpointStatsRegistry _endpoints = new();

    /// <summary>Load balancing's and the request policy's draws (Random.Shared: thread-safe); tests wire seeded ones.</summary>
    private readonly Random _random = Random.Shared;
    private int _acceptingStopped;

    public ProxyHost(ProxyOptions options, ILoggerFactory loggers, TimeProvider time)
    {
        _options = options;
        _time = time;
        Io.EpollLoop.Configure(options.Concurrency);
        _loggers = loggers;
        _logger = loggers.CreateLogger("Waylay.Proxy");
        _pod = new PodAddresses(options.InstanceIp, time, TimeSpan.FromSeconds(2));
        // One source or the other (ProxyOptions refuses both): the control plane's stream or the files.
        _source = options.DiscoveryAddress is { } discovery
            ? new DiscoveryMeshSource(discovery, options.InstanceIp, loggers.CreateLogger("Waylay.Proxy.Discovery"), time)
            : new MeshFileSource(options.ConfigPath, options.RulesPath, _logger, time, options.ConfigPollInterval);
        _config = new RouteTableManager(_source, _endpoints);
        var sweep = options.IdleTimeout / 4 < TimeSpan.FromSeconds(5) ? options.IdleTimeout / 4 : TimeSpan.FromSeconds(5);
        _idleSweep = time.CreateTimer(static s => ((ProxyHost)s!).SweepIdle(), this, sweep, sweep);
        _trimmer = new HeapTrimmer(time, TimeSpan.FromSeconds(1), () => Lifecycle.State == ProxyState.Live && _source.NotReadyReason is null);
    }

    public ProxyLifecycle Lifecycle { get; } = new();

    public ProxyMetrics Metrics { get; } = new();

    public ConnectionRegistry Connections { get; } = new();

    public PipePool Pipes { get; } = new();

    public IReadOnlyList<ProxyListener> Listeners => _listeners;

    /// <summary>Gateway mode's listeners (<c>--gateway</c>); null for a sidecar.</summary>
    public GatewayListeners? Gateway { get; private set; }

    /// <summary>The HTTP side (pools, selector, telemetry); built in <see cref="Start"/>.</summary>
    public HttpServices? Http { get; private set; }

    /// <summary>Binds every port; throws <see cref="ProxyStartException"/> naming the port when one is taken.</summary>
    public void Start()
    {
        // Capture exempts the proxy's uid and its gid (istio-iptables' -g defaults to -u). Under TPROXY the proxy runs as
        // root with gid 1337 (IP_TRANSPARENT needs CAP_NET_ADMIN): that is exempt too, so no warning.
        var uid = Unistd.GetEffectiveUserId();
        if (uid != _options.ProxyUid && Unistd.GetEffectiveGroupId() != _options.ProxyUid)
        {
            ProxyLog.WrongUid(_logger, uid, _options.ProxyUid);
        }

        var limit = Resource.RaiseOpenFileLimitToHard();
        ProxyLog.FileLimit(_logger, limit, limit / 2);
        foreach (var flag in _options.AcceptedWithoutEffect)
        {
            var eq = flag.IndexOf('=');
            ProxyLog.FlagWithoutEffect(_logger, eq < 0 ? flag : flag[..eq], eq < 0 ? "" : flag[(eq + 1)..]);
        }

        var router = new Router(_options, _pod);
        var connector = new UpstreamConnector(_options.ConnectTimeout, _time);
        Http = HttpWiring.Create(_options, _pod, connector, _random, _time, _loggers);
        var draining = () => Lifecycle.DrainRequested.IsCompleted;
        var httpPath = new HttpPath(Http, draining, () => _config.Current);
        var protocols = new ProtocolDecision(new ProtocolDetector(_options.ProtocolDetectionTimeout, _time), Http.Http2 is not null);
        var tcp = new TcpProxy(Http.Selector, connector, _options.Splice ? Pipes : null, Metrics, Http.Peers, Http.Telemetry.Metrics, _random, _logger, _time);
        var connections = new ConnectionHandler(_options, router, _config, protocols, httpPath, tcp, Connections, Metrics, _logger, _time);
        if (_options.Gateway)
        {
            // Not transparent: the Gateways' ports instead of the capture ports (Listeners/GatewayListeners.cs).
            Gateway = new GatewayListeners(_options.PodLabelsPath, _pod, _config, httpPath, Connections, Metrics, _logger, _time);
            Gateway.Start(_options.ConfigPollInterval);
        }
        else
        {
            _listeners.Add(ProxyListener.Bind(_options.OutboundPort, ListenerKind.Outbound, _options.Transparent, _logger, _time));
            if (_options.InboundPort != _options.OutboundPort)
            {
                _listeners.Add(ProxyListener.Bind(_options.InboundPort, ListenerKind.Inbound, _options.Transparent, _logger, _time));
            }
        }

        Lifecycle.OnDrainStopAccepting(StopAccepting);
        var names = Gateway is null ? _listeners.Select(l => l.Address.ToString()).ToList() : [.. Gateway.Ports.Select(p => $"gateway [::]:{p}")];
        var admin = new AdminEndpoints(_options, Lifecycle, Metrics, Connections, _endpoints, _config, names, _time, Http);
        _servers.Add(AdminHttpServer.Start(new IPEndPoint(IPAddress.Loopback, _options.AdminPort), "--admin-port", admin.Handle, _logger));
        var healthAddress = System.Net.Sockets.Socket.OSSupportsIPv6 ? IPAddress.IPv6Any : IPAddress.Any;
        var probes = new AppProbeHandler(_options, _pod, _loggers.CreateLogger("Waylay.Proxy.AppProbes"));
        _servers.Add(AdminHttpServer.Start(
            new IPEndPoint(healthAddress, _options.HealthPort),
            "--health-port",
            request => AppProbeHandler.Serves(request.Path) ? probes.HandleAsync(request) : ValueTask.FromResult(admin.HandleHealth(request.Method, request.Path)),
            _logger));
        _servers.Add(AdminHttpServer.Start(new IPEndPoint(healthAddress, _options.MetricsPort), "--metrics-port", admin.HandleMetrics, _logger));

        foreach (var listener in _listeners)
        {
            _ = listener.AcceptLoopAsync(connections.HandleAsync);
        }

        if (_options.AppProbers.Count > 0)
        {
            AppProbeLog.Serving(_logger, _options.AppProbers.Count, string.Join(", ", _options.AppProbers.Keys.Order(StringComparer.Ordinal)));
        }

        if (_source.NotReadyReason is null)
        {
            // Ready with this: the start's pages go before /ready says so, so the first requests, which come with it,
            // do not land on them (the trimmer's first look once ready takes what ran once after; with a control
            // plane's configuration still to come, only that look).
            HeapTrimmer.ReleaseImage();
        }

        Lifecycle.MarkLive();
        var table = _config.Current;
        ProxyLog.Started(_logger, string.Join(", ", names), _servers[0].EndPoint.ToString(), _servers[1].EndPoint.ToString(), table.Version, table.Model.Services.Count, uid);
    }

    /// <summary>
    /// Drain step 1, once: close the capture listeners, so redirected connects get a reset from the kernel, and tell
    /// h2 clients to go away. Run by whoever begins the drain (ProxyLifecycle.BeginDrain) before it answers.
    /// </summary>
    private void StopAccepting()
    {
        if (Interlocked.Exchange(ref _acceptingStopped, 1) != 0)
        {
            return;
        }

        foreach (var listener in _listeners)
        {
            listener.Dispose();
        }

        Gateway?.Dispose();
        Http?.Http2?.BeginDrain();
    }

    /// <summary>Runs until quit, or until a drain has finished: stop accepting, wait, then close what is left.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var registration = cancellationToken.Register(static s => ((ProxyLifecycle)s!).BeginDrain("shutdown requested"), Lifecycle);
        var reason = await Lifecycle.DrainRequested.ConfigureAwait(false);

        // :: Drain step 1 (BeginDrain has run it already, unless the drain began before the proxy was up).
        StopAccepting();

        ProxyLog.Draining(_logger, reason, Connections.Count, _options.DrainDuration);

        // :: Drain step 2: let live connections finish for up to --drain-duration (quit skips this).
        var deadline = _time.GetTimestamp();
        while (Connections.Count > 0 && !Lifecycle.QuitRequested.IsCompleted && _time.GetElapsedTime(deadline) < _options.DrainDuration)
        {
            Connections.CloseIdleHttp();
            await Task.WhenAny(Task.Delay(TimeSpan.FromMilliseconds(100), _time), Lifecycle.QuitRequested).ConfigureAwait(false);
        }

        // :: Drain step 3: close what is left; the caller's watchdog ends the process at --parent-shutdown-duration.
        var remaining = Connections.Count;
        Connections.CloseAll(RelayOutcome.ClosedByProxy);
        var closing = _time.GetTimestamp();
        while (Connections.Count > 0 && _time.GetElapsedTime(closing) < TimeSpan.FromSeconds(2))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), _time).ConfigureAwait(false);
        }

        ProxyLog.Drained(_logger, remaining);
        if (Http is not null)
        {
            await Http.StopAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        foreach (var listener in _listeners)
        {
            listener.Dispose();
        }

        Gateway?.Dispose();

        foreach (var server in _servers)
        {
            server.Dispose();
        }

        _idleSweep.Dispose();
        _trimmer.Dispose();
        _config.Dispose();
        _source.Dispose();
        _pod.Dispose();
        Metrics.Dispose();
        Pipes.Dispose();
    }

    private void SweepIdle()
    {
        var now = _time.GetTimestamp();
        foreach (var connection in Connections.Live)
        {
            if (_time.GetElapsedTime(connection.LastActivity, now) >= _options.IdleTimeout)
            {
                connection.Outcome = RelayOutcome.IdleTimeout;
                connection.Close();
            }
        }
    }
}
