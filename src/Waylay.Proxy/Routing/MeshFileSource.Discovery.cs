using System.Reflection;
using Microsoft.Extensions.Logging;
using Waylay.Discovery;
using Waylay.Proxy.Telemetry;

namespace Waylay.Proxy.Routing;

/// <summary>
/// <c>--discovery ADDR</c>: the control plane's stream replaces the files. The client delivers the same (model,
/// rules) pair the files give, already validated (a refused push is NACKed there and never reaches this table);
/// each delivery swaps the table atomically, so open connections take it on their next request, as a file reload.
/// </summary>
internal sealed partial class MeshFileSource
{
    private DiscoveryClient? _discovery;
    private CancellationTokenSource? _discoveryStop;

    /// <summary>The stream's state for /config_dump; null without <c>--discovery</c>.</summary>
    public DiscoveryStatus? Discovery => _discovery?.Status;

    public void UseDiscovery(string address, System.Net.IPAddress? instanceIp, ILogger logger, TimeProvider time)
    {
        var version = typeof(MeshFileSource).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "dev";
        var node = NodeIdentity.FromEnvironment(instanceIp?.ToString(), version);
        _discovery = new DiscoveryClient(address, node, Apply, logger, time);
        _discoveryStop = new CancellationTokenSource();
        _ = _discovery.RunAsync(_discoveryStop.Token);
    }

    private void Apply(DiscoveredConfig config)
    {
        var table = RouteTable.Build(config.Mesh, config.Networking, _registry);
        // Only the client's one stream calls this (without --config/--rules there is no poll to race with).
        (_model, _networking) = (config.Mesh, config.Networking);
        Volatile.Write(ref _current, table);
        Reloads++;

        ProxyLog.ConfigApplied(_logger, table.Version, config.Mesh.Services.Count);
    }

    private void StopDiscovery()
    {
        _discoveryStop?.Cancel();
        _discoveryStop?.Dispose();
        _discovery?.Dispose();
    }
}
