using System.Threading.Channels;
using k8s;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Waylay.Mesh.Networking;

namespace Waylay.Control.Sources.Kubernetes;

/// <summary>
/// The mesh as a Kubernetes cluster describes it. One <see cref="Reflector{T}"/> per kind and scope keeps a local
/// store; any change marks the source dirty, and one loop rebuilds the whole snapshot from all stores
/// (<see cref="KubernetesMeshBuilder"/>), so a burst of events (a relist, a rollout) costs one rebuild, not one each.
/// </summary>
internal sealed class KubernetesSource : IMeshSource, IDisposable
{
    private readonly k8s.Kubernetes _client;
    private readonly KubernetesStores _stores = new();
    private readonly List<Func<CancellationToken, Task>> _runs = [];
    private readonly List<Func<KindSyncStatus>> _statuses = [];
    private readonly List<Func<bool>> _synced = [];
    private readonly Channel<bool> _dirty = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly ILogger _logger;
    private SourceSnapshot _current;

    public KubernetesSource(KubernetesSourceOptions options, TimeProvider? time = null, ILogger<KubernetesSource>? logger = null, int? seed = null)
        : this(new k8s.Kubernetes(KubernetesConnection.Configure(options)), options, time, logger, seed)
    {
    }

    public KubernetesSource(k8s.Kubernetes client, KubernetesSourceOptions options, TimeProvider? time = null, ILogger<KubernetesSource>? logger = null, int? seed = null)
    {
        _client = client;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _current = SourceSnapshot.Empty(Name);
        time ??= TimeProvider.System;
        var random = seed is { } s ? new Random(s) : new Random();
        foreach (var scope in options.Scopes)
        {
            Add(KubernetesApi.Services(client, scope), _stores.Services, options, time, random);
            Add(KubernetesApi.EndpointSlices(client, scope), _stores.EndpointSlices, options, time, random);
            Add(KubernetesApi.Pods(client, scope), _stores.Pods, options, time, random);
            foreach (var (kind, plural) in KubernetesApi.IstioKinds)
            {
                if (!_stores.Istio.TryGetValue(kind, out var stores))
                {
                    _stores.Istio[kind] = stores = [];
                }

                Add(KubernetesApi.Istio(client, kind, plural, scope), stores, options, time, random);
            }
        }
    }

    public string Name => "kubernetes";

    public SourceSnapshot Current => Volatile.Read(ref _current);

    public event Action<SourceSnapshot>? Changed;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var tasks = new List<Task> { RebuildLoopAsync(cancellationToken) };
        tasks.AddRange(_runs.Select(run => Task.Run(() => run(cancellationToken), cancellationToken)));
        try
        {
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    public void Dispose() => _client.Dispose();

    private void Add<T>(ResourceKind<T> kind, List<ObjectStore<T>> stores, KubernetesSourceOptions options, TimeProvider time, Random random)
    {
        var store = new ObjectStore<T>(kind.Meta);
        stores.Add(store);
        // Random is not thread-safe: each reflector gets its own, seeded from the source's.
        var reflector = new Reflector<T>(kind, store, MarkDirty, options, time, new Random(random.Next()), _logger);
        _runs.Add(reflector.RunAsync);
        _statuses.Add(() => reflector.Status);
        _synced.Add(() => reflector.Synced);
    }

    private void MarkDirty() => _dirty.Writer.TryWrite(true);

    private async Task RebuildLoopAsync(CancellationToken cancellationToken)
    {
        while (await _dirty.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            _dirty.Reader.TryRead(out _);
            var snapshot = Rebuild();
            Volatile.Write(ref _current, snapshot);
            KubernetesSourceLog.Snapshot(_logger, snapshot.Revision, snapshot.Mesh.Services.Count, snapshot.Mesh.Workloads.Count, snapshot.Status.Ignored.Count);
            Changed?.Invoke(snapshot);
        }
    }

    private SourceSnapshot Rebuild()
    {
        var revision = Current.Revision + 1;
        var ignored = new List<IgnoredResource>();
        var mesh = KubernetesMeshBuilder.BuildMesh(_stores, $"kubernetes-{revision}", ignored);
        var routing = new List<CustomObject>();
        NetworkingConfig networking = KubernetesMeshBuilder.BuildNetworking(_stores, ignored, routing);
        var status = new SyncStatus(Name, [.. _statuses.Select(s => s())], ignored);
        return new SourceSnapshot(revision, _synced.All(s => s()), mesh, networking, status, routing);
    }
}
