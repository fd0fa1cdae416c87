namespace Waylay.Control.Tests.KubeApi;

/// <summary>
/// One collection of the recorded API server (e.g. <c>/api/v1/services</c>): the list responses it answers with, in
/// order (the last one repeats), and the watch sessions it plays, one per watch request (afterwards: held open).
/// </summary>
internal sealed class RecordedResource
{
    private readonly Lock _lock = new();
    private readonly Queue<string> _lists = new();
    private readonly Queue<WatchSession> _watches = new();
    private string? _lastList;

    /// <summary>A recorded list file under testdata/kube/ (kind, apiVersion, metadata.resourceVersion, items).</summary>
    public RecordedResource List(string file)
    {
        lock (_lock)
        {
            _lists.Enqueue(File.ReadAllText(RecordedKubeApiServer.DataPath(file)));
        }

        return this;
    }

    /// <summary>Plays <paramref name="session"/> on the next watch request not yet given one.</summary>
    public RecordedResource Watch(Func<WatchSession, WatchSession> session)
    {
        lock (_lock)
        {
            _watches.Enqueue(session(new WatchSession()));
        }

        return this;
    }

    /// <summary>The list <see cref="NextList"/> chose last.</summary>
    internal string? CurrentList
    {
        get
        {
            lock (_lock)
            {
                return _lastList;
            }
        }
    }

    internal string? NextList()
    {
        lock (_lock)
        {
            if (_lists.TryDequeue(out var list))
            {
                _lastList = list;
            }

            return _lastList;
        }
    }

    internal WatchSession NextWatch()
    {
        lock (_lock)
        {
            return _watches.TryDequeue(out var session) ? session : new WatchSession();
        }
    }
}
