namespace Waylay.Control.Sources;

/// <summary>
/// Where the control plane learns the mesh from (files | Kubernetes | discovery). A source keeps its own state and
/// publishes whole, immutable <see cref="SourceSnapshot"/>s; the registry downstream never sees its events, only the
/// latest snapshot, so a source may coalesce changes however it likes.
/// </summary>
internal interface IMeshSource
{
    /// <summary>Names the source in logs and <c>/debug/syncz</c>, e.g. "kubernetes".</summary>
    string Name { get; }

    /// <summary>The latest snapshot; <see cref="SourceSnapshot.Synced"/> is false until every kind was listed once.</summary>
    SourceSnapshot Current { get; }

    /// <summary>Raised after <see cref="Current"/> changed, on the source's own thread; handlers must not block.</summary>
    event Action<SourceSnapshot>? Changed;

    /// <summary>Runs until <paramref name="cancellationToken"/> is cancelled; failures it can retry are only reported in the status.</summary>
    Task RunAsync(CancellationToken cancellationToken);
}
