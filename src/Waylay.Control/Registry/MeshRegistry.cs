using Microsoft.Extensions.Logging;
using Waylay.Control.Sources;
using Waylay.Discovery;
using Waylay.Discovery.V1;
using Waylay.Mesh;
using Waylay.Mesh.Networking;

namespace Waylay.Control.Registry;

/// <summary>
/// Merges every source into one model and cuts it into per-type resources:
/// <code>
///   sources (files+registrations, Kubernetes) ─Changed─► debounce (100 ms quiet, at most 1 s) ─► merge ─► per-type
///   hash ─► bump the version of the types that changed ─► Published (the discovery server pushes those types only)
/// </code>
/// Each proxy then receives its view (<see cref="ControlSnapshot.ViewFor"/>: exportTo and the Sidecar that applies,
/// <see cref="Scoping.MeshScope"/>); every view built so far is rebuilt here, and a view type whose content did not
/// change keeps its version, so its proxies are sent nothing. A service defined by two sources is taken from the
/// first (files before Kubernetes) and the other is named in /debug/syncz.
/// </summary>
internal sealed class MeshRegistry
{
    private readonly IReadOnlyList<IMeshSource> _sources;
    private readonly TimeProvider _time;
    private readonly TimeSpan _debounce;
    private readonly TimeSpan _debounceMax;
    private readonly ILogger _logger;
    private readonly string _rootNamespace;
    private readonly SemaphoreSlim _signal = new(0);
    private ControlSnapshot _current = ControlSnapshot.Empty;
    private DateTimeOffset? _firstChange;

    public MeshRegistry(IReadOnlyList<IMeshSource> sources, TimeProvider time, TimeSpan debounce, ILogger logger, string rootNamespace = "istio-system")
    {
        _rootNamespace = rootNamespace;
        _sources = sources;
        _time = time;
        _debounce = debounce;
        _debounceMax = debounce * 10 > TimeSpan.FromSeconds(1) ? debounce * 10 : TimeSpan.FromSeconds(1);
        _logger = logger;
        foreach (var source in sources)
        {
            source.Changed += _ => Signal();
        }

        Rebuild();
    }

    public ControlSnapshot Current => Volatile.Read(ref _current);

    /// <summary>Raised after a rebuild that changed at least one type, with the names of the types that changed.</summary>
    public event Action<ControlSnapshot, IReadOnlyList<string>>? Published;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await _signal.WaitAsync(cancellationToken).ConfigureAwait(false);
                // :: Debounce: wait until no change came for one debounce period, or the maximum passed.
                var started = _time.GetTimestamp();
                while (true)
                {
                    await Task.Delay(_debounce, _time, cancellationToken).ConfigureAwait(false);
                    var more = false;
                    while (_signal.Wait(0))
                    {
                        more = true;
                    }

                    if (!more || _time.GetElapsedTime(started) >= _debounceMax)
                    {
                        break;
                    }
                }

                Rebuild();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private void Signal()
    {
        lock (_signal)
        {
            _firstChange ??= _time.GetUtcNow();
        }

        _signal.Release();
    }

    /// <summary>Merges and publishes now; public so tests need no debounce.</summary>
    public void Rebuild()
    {
        DateTimeOffset changedAt;
        lock (_signal)
        {
            changedAt = _firstChange ?? _time.GetUtcNow();
            _firstChange = null;
        }

        var snapshots = _sources.Select(s => s.Current).ToList();
        var (mesh, routing, networking) = Merge(snapshots);
        var previous = Current;
        var version = previous.Version + 1;
        var types = new Dictionary<string, TypeSnapshot>(StringComparer.Ordinal);
        var changed = new List<string>();
        void Add(string type, IEnumerable<Resource> resources)
        {
            var encoded = TypeSnapshot.Encode(type, version, resources.ToList());
            if (previous.Types.TryGetValue(type, out var old) && old.Hash == encoded.Hash)
            {
                types[type] = old;
                return;
            }

            types[type] = encoded;
            changed.Add(type);
        }

        Add(TypeUrls.Services, MeshResources.Services(mesh));
        Add(TypeUrls.Endpoints, MeshResources.Endpoints(mesh));
        Add(TypeUrls.Workloads, MeshResources.Workloads(mesh));
        Add(TypeUrls.VirtualServices, routing.Where(r => r.Kind == "VirtualService").Select(r => RoutingResources.VirtualService(r.Namespace, r.Name, r.Json)));
        Add(TypeUrls.DestinationRules, routing.Where(r => r.Kind == "DestinationRule").Select(r => RoutingResources.DestinationRule(r.Namespace, r.Name, r.Json)));
        var sidecars = routing.Where(r => r.Kind == "Sidecar").Select(r => Scoping.SidecarReader.Read(r).Sidecar).OfType<Scoping.SidecarResource>().ToList();
        var scope = new Scoping.MeshScope(mesh, networking, sidecars, _rootNamespace);
        if (changed.Count == 0 && previous.Scope?.Signature == scope.Signature)
        {
            // The copy shares the built views (and their versions): nothing in any proxy's view changed.
            Volatile.Write(ref _current, previous with { Sources = snapshots });
            return;
        }

        var snapshot = new ControlSnapshot(version, types, snapshots, changedAt) { Scope = scope };
        CarryViews(previous, snapshot);
        Volatile.Write(ref _current, snapshot);
        ControlLog.Pushing(_logger, version, changed.Count == 0 ? "sidecars" : string.Join(",", changed.Select(TypeUrls.Short)));
        Published?.Invoke(snapshot, changed);
    }

    /// <summary>Rebuilds every view the previous snapshot served, so a view's unchanged types keep their snapshot and version.</summary>
    private static void CarryViews(ControlSnapshot previous, ControlSnapshot next)
    {
        foreach (var (key, view) in previous.Views)
        {
            if (next.Scope is null)
            {
                next.Views.TryAdd(key, view);
                continue;
            }

            var ns = key[..key.IndexOf('|', StringComparison.Ordinal)];
            var sidecar = view.Sidecar is null ? null : next.Scope.Sidecars.FirstOrDefault(s => s.Key == view.Sidecar);
            if (view.Sidecar is null || sidecar is not null)
            {
                next.Views.TryAdd(key, next.BuildView(key, ns, sidecar, view));
            }
        }
    }

    private static (MeshModel Mesh, List<Sources.Kubernetes.CustomObject> Routing, NetworkingConfig Networking) Merge(List<SourceSnapshot> snapshots)
    {
        var virtualServices = new Dictionary<string, VirtualService>(StringComparer.Ordinal);
        var destinationRules = new Dictionary<string, DestinationRule>(StringComparer.Ordinal);
        var services = new Dictionary<string, Service>(StringComparer.Ordinal);
        var workloads = new Dictionary<string, Workload>(StringComparer.Ordinal);
        var routing = new Dictionary<string, Sources.Kubernetes.CustomObject>(StringComparer.Ordinal);
        foreach (var snapshot in snapshots)
        {
            foreach (var service in snapshot.Mesh.Services)
            {
                services.TryAdd(service.Key, service);
            }

            foreach (var workload in snapshot.Mesh.Workloads)
            {
                workloads.TryAdd($"{workload.Name}.{workload.Namespace}", workload);
            }

            foreach (var rule in snapshot.Routing ?? [])
            {
                routing.TryAdd($"{rule.Kind}/{rule.Namespace}/{rule.Name}", rule);
            }

            foreach (var vs in snapshot.Networking.VirtualServices)
            {
                virtualServices.TryAdd(vs.Key, vs);
            }

            foreach (var rule in snapshot.Networking.DestinationRules)
            {
                destinationRules.TryAdd(rule.Key, rule);
            }
        }

        return (new MeshModel("merged", [.. services.Values], [.. workloads.Values]), [.. routing.Values], new NetworkingConfig([.. virtualServices.Values], [.. destinationRules.Values]));
    }
}
