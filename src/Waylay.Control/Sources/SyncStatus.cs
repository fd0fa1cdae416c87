namespace Waylay.Control.Sources;

/// <summary>
/// What <c>/debug/syncz</c> prints for one source: each watched kind's sync state, and every resource Waylay saw but
/// does not apply, named with the reason. Nothing the source receives is dropped without an entry here.
/// </summary>
internal sealed record SyncStatus(string Source, IReadOnlyList<KindSyncStatus> Kinds, IReadOnlyList<IgnoredResource> Ignored)
{
    public static SyncStatus Empty(string source) => new(source, [], []);

    /// <summary>How many resources of each kind were left out, e.g. <c>Gateway: 2</c>.</summary>
    public IReadOnlyDictionary<string, int> IgnoredByKind =>
        Ignored.GroupBy(i => i.Kind).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
}

/// <summary>One watched kind (in one namespace, or all): how far its list+watch got.</summary>
/// <param name="Scope">The namespace watched, or "*" for all.</param>
/// <param name="ResourceVersion">The last resourceVersion seen (list, event or bookmark); the next watch starts there.</param>
/// <param name="Lists">Full lists so far: the first, relists after 410 Gone, and resyncs.</param>
/// <param name="Watches">Watch requests so far; more than one means resumed after a close, a drop or an error.</param>
/// <param name="LastError">The last failure, with what happens next, or null.</param>
internal sealed record KindSyncStatus(
    string Kind,
    string Scope,
    bool Synced,
    string? ResourceVersion,
    int Objects,
    int Lists,
    int Watches,
    int Gone,
    string? LastError);

/// <summary>A resource the source received and does not apply: its kind, "namespace/name" and why.</summary>
internal sealed record IgnoredResource(string Kind, string Name, string Reason)
{
    public override string ToString() => $"{Kind} {Name}: {Reason}";
}
