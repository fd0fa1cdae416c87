using System.Net;
using System.Reflection;
using Microsoft.Extensions.Logging;
using Waylay.Discovery;

namespace Waylay.Proxy.Configuration;

/// <summary>
/// The configuration from the control plane (<c>--discovery ADDR</c>, the seed's <c>--discoveryAddress</c>): the
/// discovery client (Waylay.Discovery) holds the stream, validates each push with the same validators the files go
/// through and NACKs a bad one there, so only whole, good snapshots reach <see cref="Changed"/>. Until the first
/// complete push the proxy is not ready (<see cref="NotReadyReason"/>, as Istio's agent holds Envoy's readiness until
/// istiod's first push) and the empty snapshot passes connections through; while the control plane is away the last
/// good snapshot stays in force and the proxy stays ready.
/// </summary>
internal sealed class DiscoveryMeshSource : IMeshSource
{
    private readonly DiscoveryClient _client;
    private readonly CancellationTokenSource _stop = new();
    private readonly ILogger _logger;
    private MeshConfig _current = MeshConfig.Empty;
    private long _applied;

    public DiscoveryMeshSource(string address, IPAddress? instanceIp, ILogger logger, TimeProvider time)
    {
        _logger = logger;
        var version = typeof(DiscoveryMeshSource).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "dev";
        var node = NodeIdentity.FromEnvironment(instanceIp?.ToString(), version);
        _client = new DiscoveryClient(address, node, Apply, logger, time);
        _ = _client.RunAsync(_stop.Token);
    }

    public event Action? Changed;

    public MeshConfig Current => Volatile.Read(ref _current);

    /// <summary>Snapshots applied after the first.</summary>
    public long Reloads => Math.Max(0, Interlocked.Read(ref _applied) - 1);

    /// <summary>Pushes refused (NACKed): the client kept them from this source.</summary>
    public long RejectedReloads => _client.Status.Nacks;

    /// <summary>Null once a complete config has been applied; until then what the stream is waiting on.</summary>
    public string? NotReadyReason
    {
        get
        {
            if (Interlocked.Read(ref _applied) > 0)
            {
                return null;
            }

            var status = _client.Status;
            var why = status.Connected
                ? $"{status.Versions.Count} of {TypeUrls.Subscribed.Count} resource types received"
                : status.LastError is { } error ? $"not connected: {error}" : "not connected yet";
            return status.LastNack is { } nack
                ? $"waiting for the first config from discovery {status.Address} ({why}; last NACK: {nack})"
                : $"waiting for the first config from discovery {status.Address} ({why})";
        }
    }

    /// <summary>The stream's state for /config_dump.</summary>
    public DiscoveryStatus Status => _client.Status;

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
        _client.Dispose();
    }

    /// <summary>
    /// Called by the client's one stream inside its lock, so its status never shows a version whose route table is
    /// not built yet: <see cref="Changed"/> rebuilds the table on this thread before the push is ACKed.
    /// </summary>
    private void Apply(DiscoveredConfig config)
    {
        Volatile.Write(ref _current, new MeshConfig(config.Mesh, config.Networking));
        Interlocked.Increment(ref _applied);
        ConfigLog.ConfigApplied(_logger, config.Mesh.Version, config.Mesh.Services.Count);
        Changed?.Invoke();
    }
}
