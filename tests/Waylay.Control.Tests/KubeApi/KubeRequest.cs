namespace Waylay.Control.Tests.KubeApi;

/// <summary>One request the recorded API server got: its path and the list/watch parameters the client sent.</summary>
internal sealed record KubeRequest(string Path, bool Watch, string? ResourceVersion, string? AllowWatchBookmarks, string? TimeoutSeconds, string? Authorization, string Protocol)
{
    public override string ToString() =>
        $"{Path}{(Watch ? $" watch from {ResourceVersion} (bookmarks={AllowWatchBookmarks}, timeout={TimeoutSeconds})" : " list")}";
}
