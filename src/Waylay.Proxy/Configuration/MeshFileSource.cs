using System.IO.Hashing;
using System.Text;
using Microsoft.Extensions.Logging;
using Waylay.Mesh;
using Waylay.Mesh.Networking;

namespace Waylay.Proxy.Configuration;

/// <summary>
/// The configuration from files: <c>--config</c> (mesh.yaml) and <c>--rules</c> (Istio VirtualServices and
/// DestinationRules), re-read when either changes; each file is taken or refused on its
/// own, so a bad rules edit does not hold back an endpoint change. The files are
/// polled (content hash), not watched: a Kubernetes ConfigMap changes by swapping a symlink, which inotify on the
/// file misses. A bad edit is logged with every error and the last good table stays in force.
/// </summary>
internal sealed class MeshFileSource : IMeshSource
{
    private readonly string? _path;
    private readonly string? _rulesPath;
    private readonly ILogger _logger;
    private readonly ITimer? _timer;
    private byte[] _hash = [];
    private byte[] _rulesHash = [];
    private MeshConfig _current;
    private int _polling;

    /// <summary>Reads both files once; a bad file at start throws <see cref="MeshValidationException"/> (the proxy exits 2).</summary>
    public MeshFileSource(string? path, string? rulesPath, ILogger logger, TimeProvider time, TimeSpan interval)
    {
        _path = path;
        _rulesPath = rulesPath;
        _logger = logger;
        var model = MeshModel.Empty;
        var networking = NetworkingConfig.Empty;
        if (path is not null)
        {
            var bytes = File.ReadAllBytes(path);
            _hash = XxHash128.Hash(bytes);
            model = MeshFileReader.Read(Encoding.UTF8.GetString(bytes), path);
        }

        if (rulesPath is not null)
        {
            var bytes = File.ReadAllBytes(rulesPath);
            _rulesHash = XxHash128.Hash(bytes);
            networking = NetworkingReader.Read(Encoding.UTF8.GetString(bytes), rulesPath);
        }

        _current = new MeshConfig(model, networking);
        if (path is not null || rulesPath is not null)
        {
            _timer = time.CreateTimer(static s => ((MeshFileSource)s!).Poll(), this, interval, interval);
        }
    }

    public MeshFileSource(string? path, ILogger logger, TimeProvider time, TimeSpan interval)
        : this(path, null, logger, time, interval)
    {
    }

    public event Action? Changed;

    public MeshConfig Current => Volatile.Read(ref _current);

    public long Reloads { get; private set; }

    public long RejectedReloads { get; private set; }

    /// <summary>Files are read before the proxy starts (a bad one stops it), so a file source never holds readiness back.</summary>
    public string? NotReadyReason => null;

    /// <summary>Checks the files once; public so tests drive it without waiting on the timer.</summary>
    public void Poll()
    {
        if (Interlocked.Exchange(ref _polling, 1) == 1)
        {
            return;
        }

        try
        {
            var (model, networking) = _current;
            var changed = false;
            if (HasChanged(_path, ref _hash, out var text))
            {
                var (read, errors) = MeshFileReader.TryRead(text);
                if (read is null)
                {
                    Reject(_path!, errors.Select(e => e.ToString()));
                }
                else
                {
                    (model, changed) = (read, true);
                }
            }

            if (HasChanged(_rulesPath, ref _rulesHash, out var rules))
            {
                var (read, errors) = NetworkingReader.TryRead(rules);
                if (read is null)
                {
                    Reject(_rulesPath!, errors.Select(e => e.ToString()));
                }
                else
                {
                    (networking, changed) = (read, true);
                }
            }

            if (!changed)
            {
                return;
            }

            Volatile.Write(ref _current, new MeshConfig(model, networking));
            Reloads++;
            ConfigLog.ConfigApplied(_logger, model.Version, model.Services.Count);
            Changed?.Invoke();
        }
        finally
        {
            Volatile.Write(ref _polling, 0);
        }
    }

    public void Dispose() => _timer?.Dispose();

    /// <summary>
    /// True with the new text when the file's content changed. The hash is taken even when the text turns out bad, so
    /// one bad edit is reported once, not every poll.
    /// </summary>
    private bool HasChanged(string? path, ref byte[] hash, out string text)
    {
        text = "";
        if (path is null)
        {
            return false;
        }

        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (IOException e)
        {
            ConfigLog.ConfigUnreadable(_logger, path, e.Message);
            return false;
        }

        var next = XxHash128.Hash(bytes);
        if (next.AsSpan().SequenceEqual(hash))
        {
            return false;
        }

        hash = next;
        text = Encoding.UTF8.GetString(bytes);
        return true;
    }

    private void Reject(string path, IEnumerable<string> errors)
    {
        RejectedReloads++;
        var list = errors.ToList();
        ConfigLog.ConfigRejected(_logger, path, list.Count, string.Join("; ", list));
    }
}
