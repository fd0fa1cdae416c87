using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Waylay.Mesh;
using Waylay.Proxy.LoadBalancing;
using Waylay.Proxy.Telemetry;

namespace Waylay.Proxy.Routing;

/// <summary>
/// Holds the current <see cref="RouteTable"/> and, with <c>--config</c>, reloads it when the file changes. The file is
/// polled (content hash), not watched: a Kubernetes ConfigMap changes by swapping a symlink, which inotify on the
/// file misses. A bad edit is logged with every error and the last good table stays in force.
/// </summary>
internal sealed class MeshFileSource : IDisposable
{
    private readonly string? _path;
    private readonly EndpointStatsRegistry _registry;
    private readonly ILogger _logger;
    private readonly ITimer? _timer;
    private byte[] _hash = [];
    private RouteTable _current;
    private int _polling;

    public MeshFileSource(string? path, EndpointStatsRegistry registry, ILogger logger, TimeProvider time, TimeSpan interval)
    {
        _path = path;
        _registry = registry;
        _logger = logger;
        if (path is null)
        {
            _current = RouteTable.Build(MeshModel.Empty, registry);
            return;
        }

        var bytes = File.ReadAllBytes(path);
        _hash = SHA256.HashData(bytes);
        _current = RouteTable.Build(MeshFileReader.Read(System.Text.Encoding.UTF8.GetString(bytes), path), registry);
        _timer = time.CreateTimer(static s => ((MeshFileSource)s!).Poll(), this, interval, interval);
    }

    /// <summary>The table new connections are routed with.</summary>
    public RouteTable Current => Volatile.Read(ref _current);

    public long Reloads { get; private set; }

    public long RejectedReloads { get; private set; }

    /// <summary>Checks the file once; public so tests drive it without waiting on the timer.</summary>
    public void Poll()
    {
        if (_path is null || Interlocked.Exchange(ref _polling, 1) == 1)
        {
            return;
        }

        try
        {
            byte[] bytes;
            try
            {
                bytes = File.ReadAllBytes(_path);
            }
            catch (IOException e)
            {
                ProxyLog.ConfigUnreadable(_logger, _path, e.Message);
                return;
            }

            var hash = SHA256.HashData(bytes);
            if (hash.AsSpan().SequenceEqual(_hash))
            {
                return;
            }

            _hash = hash;
            var (model, errors) = MeshFileReader.TryRead(System.Text.Encoding.UTF8.GetString(bytes));
            if (model is null)
            {
                RejectedReloads++;
                ProxyLog.ConfigRejected(_logger, _path, errors.Count, string.Join("; ", errors));
                return;
            }

            var table = RouteTable.Build(model, _registry);
            Volatile.Write(ref _current, table);
            Reloads++;
            ProxyLog.ConfigApplied(_logger, table.Version, model.Services.Count);
        }
        finally
        {
            Volatile.Write(ref _polling, 0);
        }
    }

    public void Dispose() => _timer?.Dispose();
}
