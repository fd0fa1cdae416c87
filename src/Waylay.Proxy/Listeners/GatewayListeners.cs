using System.Net;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Waylay.Proxy.Configuration;
using Waylay.Linux;
using Waylay.Proxy.Http;
using Waylay.Proxy.Io;
using Waylay.Proxy.OriginalDestination;
using Waylay.Proxy.Routing;
using Waylay.Proxy.Telemetry;
using Waylay.Proxy.Connections;
using Waylay.Proxy.Http.Policy;
using Waylay.Proxy.Lifecycle;

namespace Waylay.Proxy.Listeners;

/// <summary>
/// <c>waylay proxy --gateway</c>: not transparent. Instead of the capture ports it listens on every port the Gateways
/// selecting this pod open (<see cref="GatewayRoutes"/>), follows the snapshot as it changes (a port no Gateway opens
/// any more is closed, a new one bound), and serves each connection with the sidecar's HTTP/1 path, routing each
/// request by its Host header instead of by the address dialled.
/// <code>
///   accept on a Gateway port ─► ConnectionContext (original destination = the listener's own address)
///     ─► HttpPath's HTTP/1 connection, scope.Gateway set ─► per request: GatewayRoutes.Select ─► endpoint ─► upstream
/// </code>
/// </summary>
internal sealed class GatewayListeners(
    string labelsPath,
    PodAddresses pod,
    RouteTableManager config,
    HttpPath http,
    ConnectionRegistry registry,
    ProxyMetrics metrics,
    ILogger logger,
    TimeProvider time) : IDisposable
{
    private readonly Dictionary<ushort, ProxyListener> _open = [];
    private readonly Lock _gate = new();
    private readonly GatewayRouteCache _routes = new(pod);
    private ITimer? _timer;
    private bool _closed;
    private string _labelsSeen = "(not read yet)";
    private Action<ConnectionContext, SafeHandle, Exception?>? _ended; // one for every connection, made on first use

    /// <summary>The ports listened on now.</summary>
    public IReadOnlyList<ushort> Ports
    {
        get
        {
            lock (_gate)
            {
                return [.. _open.Keys.Order()];
            }
        }
    }

    /// <summary>Binds what the current snapshot opens, then follows the snapshot every <paramref name="interval"/>.</summary>
    public void Start(TimeSpan interval)
    {
        Reconcile();
        _timer = time.CreateTimer(static s => ((GatewayListeners)s!).Reconcile(), this, interval, interval);
    }

    /// <summary>Opens the ports the current snapshot's Gateways want and closes the others (Envoy's listener updates).</summary>
    public void Reconcile()
    {
        ReadLabels(config.Current);
        var routes = _routes.For(config.Current);
        var wanted = routes.Ports.ToHashSet();
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            foreach (var port in _open.Keys.Where(p => !wanted.Contains(p)).ToList())
            {
                _open.Remove(port, out var listener);
                listener!.Dispose();
                GatewayLog.PortClosed(logger, port);
            }

            foreach (var port in wanted.Where(p => !_open.ContainsKey(p)))
            {
                try
                {
                    var listener = ProxyListener.Bind(port, ListenerKind.Outbound, transparent: false, logger, time);
                    _open[port] = listener;
                    _ = listener.AcceptLoopAsync((socket, client, _) => ServeAsync(socket, client, port));
                    GatewayLog.PortOpened(logger, port, routes.Describe(port));
                }
                catch (ProxyStartException e)
                {
                    // Tried again on the next reconcile: a port below 1024 needs CAP_NET_BIND_SERVICE, which uid 1337 lacks.
                    GatewayLog.PortFailed(logger, port, e.Message);
                }
            }
        }
    }

    /// <summary>
    /// The pod's labels, read at every config check: the kubelet rewrites the downward-API file when they change, and
    /// a Gateway then selects the pod, or stops selecting it, as under Istio.
    /// </summary>
    private void ReadLabels(RouteTable table)
    {
        var (labels, source) = PodLabels.Resolve(labelsPath, table.Model, pod);
        var seen = labels.Count == 0 ? "(none)" : string.Join(",", labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"));
        if (seen != _labelsSeen)
        {
            _labelsSeen = seen;
            _routes.Labels = labels;
            GatewayLog.Labels(logger, seen, source);
        }
    }

    private Task ServeAsync(DescriptorHandle downstream, IPEndPoint client, ushort port)
    {
        var connection = new ConnectionContext(registry.NextId(), ListenerKind.Outbound, new ClientAddress(client), time.GetTimestamp());
        metrics.DownstreamOpened(ListenerKind.Outbound);
        registry.Add(connection);
        try
        {
            TcpAccept.SetNoDelay(downstream);
            var local = SocketNames.Local(downstream) is { } l ? SharedAddresses.Intern(l) : new IPEndPoint(IPAddress.Any, port);
            connection.LocalAddress = local;
            connection.OriginalDestination = new OriginalDestination.OriginalDestination(local);
            connection.Direction = TrafficDirection.Outbound;
            connection.ServiceKey = "gateway";
            var table = config.Current;
            connection.Snapshot = table.Model;
            var polled = EpollSocket.Attach(downstream);
            connection.Poll(polled);
            var scope = new HttpScope(connection, TrafficDirection.Outbound, table, null, null, null)
            {
                Current = () => config.Current,
                Gateway = new GatewayBinding(_routes, port),
            };

            // Handed on, not awaited: the request loop ends the connection itself (Ended).
            http.StartHttp1(polled, scope, _ended ??= Ended);
        }
        catch (Exception e)
        {
            Ended(connection, downstream, e);
        }

        return Task.CompletedTask;
    }

    private void Ended(ConnectionContext connection, SafeHandle downstream, Exception? unexpected)
    {
        if (unexpected is not null)
        {
            ProxyLog.Unexpected(logger, unexpected, connection.Id);
            SocketReset.Abort(downstream);
        }

        registry.Remove(connection);
        metrics.DownstreamClosed(ListenerKind.Outbound);
        connection.Closing.Dispose();
        downstream.Dispose();
    }

    /// <summary>Stops accepting on every Gateway port (the drain's first step).</summary>
    public void Dispose()
    {
        _timer?.Dispose();
        lock (_gate)
        {
            _closed = true;
            foreach (var listener in _open.Values)
            {
                listener.Dispose();
            }

            _open.Clear();
        }
    }
}
