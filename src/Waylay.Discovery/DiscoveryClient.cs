using System.Globalization;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using Waylay.Discovery.V1;
using Waylay.Mesh;

namespace Waylay.Discovery;

/// <summary>
/// The proxy's end of the aggregated discovery stream (Envoy's ADS client):
/// <code>
///   connect ─► one request per type ─► response ─► rebuild (model, rules) with that type replaced ─► validate
///        ▲                                  │ valid: keep it, ACK its version, apply once every type has arrived
///        │                                  └ invalid: keep the last good one, NACK with the validator's errors
///        └─ stream lost: the last good config stays in force; reconnect after a jittered, growing back-off
/// </code>
/// A reconnect re-sends the versions it runs, so a control plane that restarted sends everything again and the
/// proxy converges on its current state. The proxy accepts incremental responses (only the changed resources and the
/// removed names, on top of a base version it must be running) and merges them into its last good set.
/// </summary>
public sealed partial class DiscoveryClient : IDisposable
{
    private static readonly TimeSpan MinBackoff = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(10);

    private readonly string _address;
    private readonly Node _node;
    private readonly Action<DiscoveredConfig> _apply;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly GrpcChannel _channel;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (string Version, IReadOnlyList<Resource> Resources)> _accepted = new(StringComparer.Ordinal);
    private bool _connected;
    private bool _applied;
    private long _connects;
    private long _acks;
    private long _nacks;
    private string? _lastNack;
    private string? _lastError;

    /// <param name="address">host:port (Istio's <c>--discoveryAddress</c> form) or an http:// URL; gRPC over cleartext HTTP/2.</param>
    public DiscoveryClient(string address, Node node, Action<DiscoveredConfig> apply, ILogger logger, TimeProvider time, Random? random = null)
    {
        _address = address;
        _node = node;
        _apply = apply;
        _logger = logger;
        _time = time;
        _random = random ?? new Random();
        _channel = GrpcChannel.ForAddress(ToUri(address), new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                ConnectTimeout = TimeSpan.FromSeconds(5),
                // A control plane whose host vanished sends no FIN: HTTP/2 pings find out.
                KeepAlivePingDelay = TimeSpan.FromSeconds(15),
                KeepAlivePingTimeout = TimeSpan.FromSeconds(5),
                KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
            },
            MaxReceiveMessageSize = 64 * 1024 * 1024,
        });
    }

    /// <summary>"waylay-control.waylay-system:15010" → http://…; an address with a scheme is taken as it is.</summary>
    public static Uri ToUri(string address) =>
        address.Contains("://", StringComparison.Ordinal) ? new Uri(address) : new Uri("http://" + address);

    public DiscoveryStatus Status
    {
        get
        {
            lock (_lock)
            {
                var versions = _accepted.ToDictionary(p => TypeUrls.Short(p.Key), p => p.Value.Version, StringComparer.Ordinal);
                return new DiscoveryStatus(_address, _connected, RunningVersion(), versions, _connects, _acks, _nacks, _lastNack, _lastError);
            }
        }
    }

    /// <summary>Holds the stream until cancelled, reconnecting whenever it is lost.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (await StreamOnceAsync(cancellationToken).ConfigureAwait(false))
                {
                    failures = 0; // it worked for a while: start the back-off from the bottom again
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is RpcException or IOException or HttpRequestException or InvalidOperationException)
            {
                lock (_lock)
                {
                    _lastError = e is RpcException rpc ? $"{rpc.StatusCode}: {rpc.Status.Detail}" : e.Message;
                }
            }

            lock (_lock)
            {
                _connected = false;
            }

            var delay = Backoff(failures++);
            DiscoveryClientLog.Unavailable(_logger, _address, _lastError ?? "stream closed", delay);
            try
            {
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public void Dispose() => _channel.Dispose();

    /// <summary>Exponential from 250 ms to 10 s, each delay drawn from its upper half so restarted proxies do not reconnect in step.</summary>
    private TimeSpan Backoff(int failures)
    {
        var ceiling = Math.Min(MaxBackoff.TotalMilliseconds, MinBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(failures, 10)));
        double jitter;
        lock (_lock)
        {
            jitter = 0.5 + (_random.NextDouble() / 2);
        }

        return TimeSpan.FromMilliseconds(ceiling * jitter);
    }

    /// <summary>One stream, until the server ends it; true when at least one response arrived.</summary>
    private async Task<bool> StreamOnceAsync(CancellationToken cancellationToken)
    {
        var client = new AggregatedDiscovery.AggregatedDiscoveryClient(_channel);
        using var call = client.StreamResources(cancellationToken: cancellationToken);
        var first = true;
        foreach (var type in TypeUrls.Subscribed)
        {
            var request = new DiscoveryRequest { TypeUrl = type, VersionInfo = VersionOf(type), AcceptsIncremental = true };
            if (first)
            {
                request.Node = _node;
                first = false;
            }

            await call.RequestStream.WriteAsync(request, cancellationToken).ConfigureAwait(false);
        }

        var received = false;
        await foreach (var response in call.ResponseStream.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!received)
            {
                received = true;
                lock (_lock)
                {
                    _connected = true;
                    _connects++;
                    _lastError = null;
                }

                DiscoveryClientLog.Connected(_logger, _address, _node.Id);
            }

            await call.RequestStream.WriteAsync(Handle(response), cancellationToken).ConfigureAwait(false);
        }

        return received;
    }

    private string VersionOf(string type)
    {
        lock (_lock)
        {
            return _accepted.TryGetValue(type, out var accepted) ? accepted.Version : "";
        }
    }

    /// <summary>The newest version among the types this proxy runs: the control plane's version once caught up.</summary>
    private string RunningVersion()
    {
        long newest = 0;
        foreach (var (_, (version, _)) in _accepted)
        {
            newest = long.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v > newest ? v : newest;
        }

        return newest.ToString(CultureInfo.InvariantCulture);
    }
}
