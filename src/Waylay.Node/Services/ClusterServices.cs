using Waylay.Mesh;
using Waylay.Node.Dns;

namespace Waylay.Node.Services;

/// <summary>
/// The cluster's services, as the API server and the endpoints controller would hold them: each with its ClusterIP
/// (allocated when it sets none) and its endpoints, ready or not. Every change is pushed at once to the kube-proxy
/// role on every node and to the cluster DNS, so pods that become ready or go away are seen by the next connection.
/// </summary>
internal sealed class ClusterServices(KubeProxy proxy)
{
    private readonly Dictionary<string, Service> _services = new(StringComparer.Ordinal);
    private readonly ClusterIpAllocator _addresses = new();
    private readonly SemaphoreSlim _gate = new(1, 1);

    public KubeProxy Proxy { get; } = proxy;

    /// <summary>The DNS server that gets every change (set by <see cref="ClusterDns.StartAsync"/>).</summary>
    public ClusterDns? Dns { get; set; }

    public IReadOnlyList<Service> Current
    {
        get
        {
            lock (_services)
            {
                return [.. _services.Values];
            }
        }
    }

    /// <summary>Adds or replaces a service (its endpoints included); one without an address gets a ClusterIP.</summary>
    public async Task<Service> ApplyAsync(Service service, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var key = $"{service.Namespace}/{service.Name}";
            var address = _addresses.Allocate(key, service.Addresses.FirstOrDefault());
            service = service with { Addresses = [address] };
            lock (_services)
            {
                _services[key] = service;
            }

            await SyncAsync(cancellationToken);
            return service;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Replaces a service's endpoints (pods became ready or went away).</summary>
    public Task<Service> SetEndpointsAsync(string @namespace, string name, IReadOnlyList<Endpoint> endpoints, CancellationToken cancellationToken)
    {
        Service service;
        lock (_services)
        {
            service = _services.GetValueOrDefault($"{@namespace}/{name}")
                ?? throw new ArgumentException($"no service {@namespace}/{name}; apply the service before its endpoints", nameof(name));
        }

        return ApplyAsync(service with { Endpoints = endpoints }, cancellationToken);
    }

    public async Task RemoveAsync(string @namespace, string name, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var key = $"{@namespace}/{name}";
            lock (_services)
            {
                _services.Remove(key);
            }

            _addresses.Release(key);
            await SyncAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task SyncAsync(CancellationToken cancellationToken)
    {
        var current = Current;
        await Proxy.SyncAsync(current, cancellationToken);
        Dns?.Sync(current);
    }
}
