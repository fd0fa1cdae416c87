using System.Net;
using k8s;
using k8s.Autorest;
using Microsoft.Extensions.Logging;

namespace Waylay.Control.Sources.Kubernetes;

/// <summary>
/// Keeps an <see cref="ObjectStore{T}"/> equal to the API server's view of one kind, the way client-go's Reflector
/// does (k8s.io/client-go/tools/cache/reflector.go):
/// <code>
///   :: Step 1  list                      → replace the store, remember the list's resourceVersion
///   :: Step 2  watch from resourceVersion (allowWatchBookmarks, timeoutSeconds in [min, 2·min])
///              ADDED/MODIFIED → upsert · DELETED → remove · BOOKMARK → only the resourceVersion moves
///   :: Step 3  the watch ended:
///              closed by the server (its timeout)      → Step 2 at once, from the last resourceVersion
///              dropped / failed / ERROR other than 410 → Step 2 after a jittered back-off, same resourceVersion
///              410 Gone (HTTP status or ERROR event)   → Step 1 after the back-off: that version is compacted away
///              resync period elapsed                   → Step 1 at once (a consistent relist)
///              the list itself failed                  → Step 1 after the back-off
///              the list is 404 (a CRD not installed)   → synced as empty, Step 1 again after the back-off
/// </code>
/// Every change of the store or of the status calls <c>changed</c>; the source coalesces those into one rebuild.
/// </summary>
internal sealed class Reflector<T>
{
    private readonly ResourceKind<T> _kind;
    private readonly ObjectStore<T> _store;
    private readonly Action _changed;
    private readonly KubernetesSourceOptions _options;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly WatchBackoff _backoff;
    private readonly ILogger _logger;
    private volatile string? _resourceVersion;
    private volatile string? _lastError;
    private volatile bool _synced;
    private int _lists;
    private int _watches;
    private int _gone;

    public Reflector(ResourceKind<T> kind, ObjectStore<T> store, Action changed, KubernetesSourceOptions options, TimeProvider time, Random random, ILogger logger)
    {
        _kind = kind;
        _store = store;
        _changed = changed;
        _options = options;
        _time = time;
        _random = random;
        _backoff = new WatchBackoff(options.InitialBackoff, options.MaxBackoff, options.BackoffJitter, random);
        _logger = logger;
    }

    public bool Synced => _synced;

    public KindSyncStatus Status => new(_kind.Kind, _kind.Scope, _synced, _resourceVersion, _store.Count,
        Volatile.Read(ref _lists), Volatile.Read(ref _watches), Volatile.Read(ref _gone), _lastError);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var needList = true;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (needList)
                {
                    // :: Step 1
                    Interlocked.Increment(ref _lists);
                    var list = await _kind.List(cancellationToken).ConfigureAwait(false);
                    _store.Replace(list.Items);
                    _resourceVersion = list.ResourceVersion;
                    _synced = true;
                    _lastError = null;
                    needList = false;
                    _backoff.Reset();
                    KubernetesSourceLog.Listed(_logger, _kind.Kind, _kind.Scope, list.Items.Count, list.ResourceVersion);
                    _changed();
                }

                // :: Step 2
                var outcome = await WatchAsync(_resourceVersion ?? "", cancellationToken).ConfigureAwait(false);

                // :: Step 3
                switch (outcome)
                {
                    case WatchOutcome.Closed:
                        continue;
                    case WatchOutcome.Resync:
                        needList = true;
                        continue;
                    case WatchOutcome.Gone:
                        needList = true;
                        break;
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (HttpOperationException e) when (needList && e.Response?.StatusCode == HttpStatusCode.NotFound)
            {
                // A custom resource whose CRD is not installed (no Istio in the cluster): nothing to sync, but say so,
                // and look again after the back-off in case it gets installed.
                _lastError = $"the API server does not serve {_kind.Kind} (404 Not Found: its CustomResourceDefinition is not installed?); listing again after a back-off";
                _store.Replace([]);
                _synced = true;
                KubernetesSourceLog.Failed(_logger, _kind.Kind, _kind.Scope, _lastError);
                _changed();
            }
            catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.Gone)
            {
                Gone($"the watch request was answered 410 Gone for resourceVersion {_resourceVersion}");
                needList = true;
            }
            catch (Exception e) when (e is HttpOperationException or HttpRequestException or IOException or KubernetesException or System.Text.Json.JsonException
                                          or OperationCanceledException) // not ours (filtered above): the client's request timeout
            {
                var what = needList ? "list" : "watch";
                var next = needList ? "relisting" : $"resuming the watch from resourceVersion {_resourceVersion}";
                _lastError = $"{what} failed: {Describe(e)}; {next} after a back-off";
                KubernetesSourceLog.Failed(_logger, _kind.Kind, _kind.Scope, _lastError);
                _changed(); // the status changed: /debug/syncz shows the failure
            }

            await Task.Delay(_backoff.Next(), _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<WatchOutcome> WatchAsync(string resourceVersion, CancellationToken cancellationToken)
    {
        // client-go: timeoutSeconds = minWatchTimeout × (1 + rand), so watches of many clients do not end together.
        var timeout = (int)(_options.MinWatchTimeout.TotalSeconds * (1 + _random.NextDouble()));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var resync = _options.ResyncPeriod > TimeSpan.Zero ? new CancellationTokenSource(_options.ResyncPeriod, _time) : null;
        using var onResync = resync?.Token.Register(stop.Cancel);
        var gone = false;
        Exception? error = null;

        Interlocked.Increment(ref _watches);
        try
        {
            await foreach (var (type, item) in _kind.Watch(resourceVersion, timeout, e =>
                           {
                               if (e is KubernetesException { Status.Code: (int)HttpStatusCode.Gone })
                               {
                                   gone = true;
                                   stop.Cancel(); // the server closes after an ERROR event; do not wait for it
                               }
                               else
                               {
                                   error = e;
                               }
                           }, stop.Token).ConfigureAwait(false))
            {
                var meta = _kind.Meta(item);
                switch (type)
                {
                    case WatchEventKind.Added or WatchEventKind.Modified:
                        _store.Upsert(item);
                        break;
                    case WatchEventKind.Deleted:
                        _store.Remove(item);
                        break;
                    case WatchEventKind.Bookmark:
                        break;
                    default:
                        continue;
                }

                if (meta.ResourceVersion is { Length: > 0 } rv)
                {
                    _resourceVersion = rv;
                }

                _backoff.Reset();
                if (type != WatchEventKind.Bookmark)
                {
                    _changed();
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && (gone || resync?.IsCancellationRequested == true))
        {
            // ended by the 410 or by the resync timer: handled below
        }

        if (gone)
        {
            Gone($"the watch from resourceVersion {resourceVersion} got an ERROR event 410 Gone");
            return WatchOutcome.Gone;
        }

        if (resync?.IsCancellationRequested == true)
        {
            return WatchOutcome.Resync;
        }

        if (error is not null)
        {
            throw error is KubernetesException or IOException or System.Text.Json.JsonException ? error : new IOException(error.Message, error);
        }

        return WatchOutcome.Closed;
    }

    private void Gone(string why)
    {
        Interlocked.Increment(ref _gone);
        _lastError = $"{why}: relisting";
        KubernetesSourceLog.Gone(_logger, _kind.Kind, _kind.Scope, why);
    }

    private static string Describe(Exception e) => e switch
    {
        HttpOperationException h => $"HTTP {(int)(h.Response?.StatusCode ?? 0)} {h.Response?.ReasonPhrase}: {Trim(h.Response?.Content)}",
        KubernetesException k => $"ERROR event {k.Status?.Code} {k.Status?.Reason}: {k.Status?.Message}",
        _ => e.InnerException is { } inner ? $"{e.Message} ({inner.Message})" : e.Message,
    };

    private static string Trim(string? text) => text is null ? "" : text.Length > 200 ? text[..200] + "…" : text;

    private enum WatchOutcome
    {
        Closed,
        Gone,
        Resync,
    }
}
