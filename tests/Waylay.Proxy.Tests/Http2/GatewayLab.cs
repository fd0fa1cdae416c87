using System.Net;
using System.Net.Sockets;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging.Abstractions;
using Waylay.Mesh;
using Waylay.Mesh.Networking;
using Waylay.Proxy.Http;
using Waylay.Proxy.Http.Http2;
using Waylay.Proxy.Listeners;
using Waylay.Proxy.LoadBalancing;
using Waylay.Proxy.Pools;
using Waylay.Proxy.Routing;
using Waylay.Proxy.Telemetry.Http;
using Orig = Waylay.Proxy.OriginalDestination.OriginalDestination;
using Waylay.Proxy.Connections;
using Waylay.Proxy.Http.Policy;

namespace Waylay.Proxy.Tests.Http2;

/// <summary>
/// The h2 gateway on loopback, driven the way the connection core drives it: a front socket accepts a client's
/// connection, reads the 24-byte preface off it (as the sniffer does), and hands socket, preface and an outbound
/// scope for service <c>echo</c> (10.96.0.20:9090) to <see cref="Http2Gateway.ServeAsync"/>. Behind it, real gRPC
/// backends "v1" and "v2" are the service's endpoints (labels version=v1/v2), or whatever the test's mesh says.
/// </summary>
internal sealed class GatewayLab : IAsyncDisposable
{
    public const string Host = "echo.default.svc.cluster.local";
    public static readonly IPEndPoint ServiceAddress = new(IPAddress.Parse("10.96.0.20"), 9090);

    private readonly Socket _front;
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _close = new();
    private readonly List<GrpcBackend> _backends;
    private readonly List<Task> _serving = [];
    private readonly MeshModel _mesh;
    private readonly EndpointStatsRegistry _registry;
    private RouteTable _table;
    private readonly IPAddress? _inboundFrom;
    private int _accepted;

    private GatewayLab(Http2Gateway gateway, HttpTelemetry telemetry, List<GrpcBackend> backends, MeshModel mesh, EndpointStatsRegistry registry,
        RouteTable table, IPAddress? inboundFrom)
    {
        _mesh = mesh;
        _registry = registry;
        Gateway = gateway;
        Telemetry = telemetry;
        _backends = backends;
        _table = table;
        _inboundFrom = inboundFrom;
        _front = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _front.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _front.Listen(64);
        _ = AcceptLoopAsync();
    }

    public Http2Gateway Gateway { get; }

    public HttpTelemetry Telemetry { get; }

    /// <summary>Client connections the front accepted: how many h2 connections the client opened.</summary>
    public int Accepted => Volatile.Read(ref _accepted);

    public IPEndPoint Front => (IPEndPoint)_front.LocalEndPoint!;

    /// <summary>Backend "v1" or "v2": what it saw, and the fault to show.</summary>
    public BackendProbe Probe(string name) => _backends[name == "v1" ? 0 : name == "v2" ? 1 : throw new ArgumentOutOfRangeException(nameof(name))].Probe;

    /// <summary>A reload: new rules for the same mesh, in force for the next request (open connections included).</summary>
    public void ApplyRules(string networking) => Volatile.Write(ref _table, RouteTable.Build(_mesh, NetworkingReader.Read(networking), _registry));

    /// <summary>What the core's idle sweep or forced drain does: cancel the connections' tokens.</summary>
    public void CloseConnections() => _close.Cancel();

    /// <summary>Captured connections whose <see cref="Http2Gateway.ServeAsync"/> has not returned yet.</summary>
    public int Serving
    {
        get
        {
            lock (_serving)
            {
                return _serving.Count(static t => !t.IsCompleted);
            }
        }
    }

    /// <summary>
    /// <paramref name="endpoints"/> is the mesh.yaml endpoints list, with <c>{v1}</c>/<c>{v2}</c> standing for the
    /// backends' ports; <paramref name="networking"/> optional VirtualService/DestinationRule YAML for the host.
    /// With <paramref name="inboundFrom"/> the scope is inbound instead: to backend v1 (the app), from that source.
    /// </summary>
    public static async Task<GatewayLab> StartAsync(string? endpoints = null, string? networking = null, IPAddress? inboundFrom = null)
    {
        var backends = new List<GrpcBackend> { await GrpcBackend.StartOnLoopbackAsync("v1"), await GrpcBackend.StartOnLoopbackAsync("v2") };
        endpoints ??= """
              - {address: 127.0.0.1, ports: {grpc: {v1}}, labels: {version: v1}}
              - {address: 127.0.0.1, ports: {grpc: {v2}}, labels: {version: v2}}
            """;
        var mesh = MeshFileReader.Read($"""
            services:
            - name: echo
              addresses: [{ServiceAddress.Address}]
              ports: [{"{"}name: grpc, port: {ServiceAddress.Port}{"}"}]
              endpoints:
            {endpoints.Replace("{v1}", backends[0].EndPoint.Port.ToString()).Replace("{v2}", backends[1].EndPoint.Port.ToString())}
            """);
        var registry = new EndpointStatsRegistry();
        var table = RouteTable.Build(mesh, networking is null ? NetworkingConfig.Empty : NetworkingReader.Read(networking), registry);
        var telemetry = new HttpTelemetry(new IstioMetrics(), null, null, new ZipkinEndpoint("test", null, 0));
        var services = new Http2GatewayServices(new UpstreamConnector(TimeSpan.FromSeconds(5), TimeProvider.System), new UpstreamSelector(new ClusterRegistry(TimeProvider.System)),
            NullLoggerFactory.Instance, TimeProvider.System, TimeSpan.FromHours(1))
        {
            Telemetry = telemetry,
        };
        var gateway = await Http2Gateway.StartAsync(services, CancellationToken.None);
        return new GatewayLab(gateway, telemetry, backends, mesh, registry, table, inboundFrom);
    }

    /// <summary>A gRPC channel to the front, as an app dials the service: one h2 connection, h2c prior knowledge.</summary>
    public GrpcChannel Channel() => GrpcChannel.ForAddress($"http://{Front}", new GrpcChannelOptions
    {
        HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = false },
        DisposeHttpClient = true,
    });

    public static CallInvoker Invoker(GrpcChannel channel) => channel.CreateCallInvoker();

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _front.Dispose();
        await Task.WhenAll(_serving).WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(static _ => { });
        await Gateway.DisposeAsync();
        foreach (var backend in _backends)
        {
            await backend.DisposeAsync();
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _front.AcceptAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            Interlocked.Increment(ref _accepted);
            lock (_serving)
            {
                _serving.Add(ServeAsync(socket));
            }
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        using (socket)
        {
            // What the sniffer does: read until the preface is in, then hand over what was read.
            var preface = new byte[24];
            var read = 0;
            while (read < preface.Length)
            {
                var n = await socket.ReceiveAsync(preface.AsMemory(read), SocketFlags.None, _stop.Token);
                if (n == 0)
                {
                    return;
                }

                read += n;
            }

            var direction = _inboundFrom is null ? TrafficDirection.Outbound : TrafficDirection.Inbound;
            var connection = new ConnectionContext(1, _inboundFrom is null ? ListenerKind.Outbound : ListenerKind.Inbound,
                new ClientAddress((IPEndPoint)socket.RemoteEndPoint!), TimeProvider.System.GetTimestamp())
            {
                OriginalDestination = new Orig(ServiceAddress),
                Direction = direction,
            };
            var table = Volatile.Read(ref _table);
            table.TryGetService(ServiceAddress, out var service);
            var scope = _inboundFrom is null
                ? new HttpScope(connection, direction, table, service, null, null) { Current = () => Volatile.Read(ref _table) }
                : new HttpScope(connection, direction, table, null, _backends[0].EndPoint, new IPEndPoint(_inboundFrom, 0));
            using var closing = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, _close.Token);
            await Gateway.ServeAsync(socket, preface, scope, closing.Token);
        }
    }
}
