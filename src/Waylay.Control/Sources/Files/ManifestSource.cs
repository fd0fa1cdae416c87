using System.IO.Hashing;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Waylay.Control.Sources.Kubernetes;
using Waylay.Control.Sources.Registrations;
using Waylay.Mesh;

namespace Waylay.Control.Sources.Files;

/// <summary>
/// The mesh described without a cluster: manifest files and directories (<c>waylay control -f</c>), polled for
/// changes by content hash (a ConfigMap mount changes by swapping a symlink, which a file watch misses), and the pods
/// runtimes register. Services with a selector get their endpoints from the registered and file pods
/// (<see cref="EndpointSliceController"/>); the rest is built exactly as from a cluster (<see cref="KubernetesMeshBuilder"/>).
/// </summary>
internal sealed class ManifestSource : IMeshSource
{
    private static readonly string[] Extensions = [".yaml", ".yml", ".json"];

    private readonly IReadOnlyList<string> _paths;
    private readonly PodRegistry _registry;
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly ILogger _logger;
    private byte[] _hash = [];
    private IReadOnlyList<(string File, string Text)> _files = [];
    private ManifestDocuments _documents = new();
    private SourceSnapshot _current;
    private readonly System.Threading.Channels.Channel<bool> _registered =
        System.Threading.Channels.Channel.CreateBounded<bool>(new System.Threading.Channels.BoundedChannelOptions(1) { FullMode = System.Threading.Channels.BoundedChannelFullMode.DropWrite });
    private int _dirty;

    public ManifestSource(IReadOnlyList<string> paths, PodRegistry registry, TimeProvider? time = null, TimeSpan? interval = null, ILogger? logger = null)
    {
        _paths = paths;
        _registry = registry;
        _time = time ?? TimeProvider.System;
        _interval = interval ?? TimeSpan.FromSeconds(1);
        _logger = logger ?? NullLogger.Instance;
        _current = SourceSnapshot.Empty(Name);
        // A registration only marks the source dirty; the loop rebuilds once for a burst (a node starting 100 pods).
        _registry.Changed += () =>
        {
            Interlocked.Exchange(ref _dirty, 1);
            _registered.Writer.TryWrite(true);
        };
        Poll();
    }

    public string Name => "files";

    public SourceSnapshot Current => Volatile.Read(ref _current);

    public event Action<SourceSnapshot>? Changed;

    public Task RunAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(PollLoopAsync(cancellationToken), RegistrationLoopAsync(cancellationToken));

    private async Task RegistrationLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (await _registered.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                _registered.Reader.TryRead(out _);
                Flush();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task PollLoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_interval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                Poll();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Rebuilds now if a registration changed anything; public so tests need no timer.</summary>
    public void Flush()
    {
        if (Interlocked.Exchange(ref _dirty, 0) == 1)
        {
            Rebuild();
        }
    }

    /// <summary>Reads every file again when any name or content changed; public so tests need no timer.</summary>
    public void Poll()
    {
        var files = new List<(string File, string Text)>();
        var hash = new XxHash128();
        foreach (var file in Files())
        {
            try
            {
                var text = File.ReadAllText(file);
                files.Add((file, text));
                hash.Append(Encoding.UTF8.GetBytes(file));
                hash.Append(Encoding.UTF8.GetBytes(text));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                ControlLog.FileUnreadable(_logger, file, e.Message);
            }
        }

        var next = hash.GetCurrentHash();
        if (next.AsSpan().SequenceEqual(_hash))
        {
            return;
        }

        _hash = next;
        Volatile.Write(ref _files, files);
        // Parsed once per change of the files; a registration rebuilds from these without reading YAML again.
        var documents = new ManifestDocuments();
        foreach (var (file, text) in files)
        {
            documents.Read(file, text);
        }

        Volatile.Write(ref _documents, documents);
        Rebuild();
    }

    private IEnumerable<string> Files()
    {
        foreach (var path in _paths)
        {
            if (Directory.Exists(path))
            {
                foreach (var file in Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                {
                    // Skips ConfigMap mounts' ..data/..2024_… doubles: the visible name is a symlink to the same file.
                    if (Extensions.Contains(Path.GetExtension(file)) && !file.Contains("/..", StringComparison.Ordinal))
                    {
                        yield return file;
                    }
                }
            }
            else
            {
                yield return path;
            }
        }
    }

    private void Rebuild()
    {
        lock (_paths)
        {
            Interlocked.Exchange(ref _dirty, 0);
            var documents = Volatile.Read(ref _documents);
            var stores = documents.Copy();
            foreach (var pod in _registry.Pods())
            {
                stores.Pods[0].Upsert(pod);
            }

            var pods = stores.Pods[0].Items();
            foreach (var slice in EndpointSliceController.SlicesFor(stores.Services[0].Items(), stores.EndpointSlices[0].Items(), pods).ToList())
            {
                stores.EndpointSlices[0].Upsert(slice);
            }

            var revision = Current.Revision + 1;
            var ignored = new List<IgnoredResource>(documents.Ignored);
            var built = KubernetesMeshBuilder.BuildMesh(stores, $"files-{revision}", ignored);
            var mesh = built with
            {
                Services = [.. built.Services, .. documents.MeshFiles.SelectMany(m => m.Services)],
                Workloads = [.. built.Workloads, .. documents.MeshFiles.SelectMany(m => m.Workloads)],
            };
            var routing = new List<CustomObject>();
            var networking = KubernetesMeshBuilder.BuildNetworking(stores, ignored, routing);
            var kinds = new List<KindSyncStatus> { new("files", string.Join(",", _paths), true, null, Volatile.Read(ref _files).Count, 0, 0, 0, null) };
            var snapshot = new SourceSnapshot(revision, true, mesh, networking, new SyncStatus(Name, kinds, ignored), routing);
            Volatile.Write(ref _current, snapshot);
            ControlLog.SourceChanged(_logger, Name, revision, mesh.Services.Count, routing.Count, ignored.Count);
            Changed?.Invoke(snapshot);
        }
    }
}
