namespace Waylay.Control.Tests.KubeApi;

/// <summary>
/// One request the recorded API server got: its path and the list/watch parameters the client sent, and for a write
/// its method, query (fieldManager, force, labelSelector), content type and body.
/// </summary>
internal sealed record KubeRequest(string Path, bool Watch, string? ResourceVersion, string? AllowWatchBookmarks, string? TimeoutSeconds, string? Authorization, string Protocol)
{
    public string Method { get; init; } = "GET";

    public IReadOnlyDictionary<string, string> Query { get; init; } = new Dictionary<string, string>();

    public string? ContentType { get; init; }

    public string Body { get; init; } = "";

    public override string ToString() =>
        $"{Path}{(Watch ? $" watch from {ResourceVersion} (bookmarks={AllowWatchBookmarks}, timeout={TimeoutSeconds})" : " list")}";
}
